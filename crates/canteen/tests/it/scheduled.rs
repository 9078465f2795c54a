//! Scheduled posts (published by a job, through the guard again) and markers.

use crate::support;

use axum::http::Method;
use serde_json::json;
use support::{Backend, TestServer};

fn in_minutes(m: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::minutes(m);
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn scheduled_posts_publish_later(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let r = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            json!({"status": "Flu clinic opens tomorrow #FluJab", "scheduled_at": in_minutes(10)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["params"]["text"], "Flu clinic opens tomorrow #FluJab");
    let id = r.json["id"].as_str().unwrap().to_string();
    assert_eq!(s.count("statuses").await, 0, "not posted yet");
    assert_eq!(s.get("/api/v1/scheduled_statuses", Some(&jo)).await.json[0]["id"], id.as_str());

    // Too soon, unparseable, or refused by the guard: clear errors, nothing stored.
    let soon = s
        .json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": "x", "scheduled_at": in_minutes(1)}))
        .await;
    assert_eq!(soon.json["details"]["scheduled_at"][0]["error"], "ERR_INVALID");
    let bad =
        s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": "x", "scheduled_at": "tomorrow"})).await;
    bad.error(422);
    let blocked = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            json!({"status": "NHS number 943 476 5919", "scheduled_at": in_minutes(10)}),
        )
        .await;
    assert_eq!(blocked.json["canteen_guard"]["verdict"], "block");
    assert_eq!(s.count("scheduled_statuses").await, 1);

    // Reschedule, then let time pass: the job publishes it once.
    let moved = s
        .json(
            Method::PUT,
            &format!("/api/v1/scheduled_statuses/{id}"),
            Some(&jo),
            json!({"scheduled_at": in_minutes(20)}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    s.run_jobs().await;
    assert_eq!(s.count("statuses").await, 0, "still waiting");
    s.exec_sql("UPDATE scheduled_statuses SET scheduled_at = 1").await;
    s.exec_sql("UPDATE jobs SET run_at = 0").await;
    s.run_jobs().await;
    assert_eq!(s.count("statuses").await, 1);
    assert_eq!(s.count("scheduled_statuses").await, 0);
    let (_, sam) = s.signed_in("sam").await;
    s.get(&format!("/api/v1/scheduled_statuses/{id}"), Some(&sam)).await.error(404);
    let tag = s.get("/api/v1/timelines/tag/flujab", None).await.json;
    assert_eq!(tag.as_array().unwrap().len(), 1);

    // Cancelled posts never go out.
    let c = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            json!({"status": "never mind", "scheduled_at": in_minutes(10)}),
        )
        .await;
    let cid = c.json["id"].as_str().unwrap().to_string();
    s.json(Method::DELETE, &format!("/api/v1/scheduled_statuses/{cid}"), Some(&sam), json!({})).await.error(404);
    assert_eq!(
        s.json(Method::DELETE, &format!("/api/v1/scheduled_statuses/{cid}"), Some(&jo), json!({})).await.status,
        200
    );
    s.exec_sql("UPDATE jobs SET run_at = 0").await;
    s.run_jobs().await;
    assert_eq!(s.count("statuses").await, 1);
}

async fn markers_remember_reading_positions(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    assert_eq!(s.get("/api/v1/markers", Some(&jo)).await.json, json!({}));
    let r = s
        .form(
            Method::POST,
            "/api/v1/markers",
            Some(&jo),
            &[("home[last_read_id]", "103"), ("notifications[last_read_id]", "7")],
        )
        .await;
    assert_eq!(r.json["home"]["last_read_id"], "103");
    assert_eq!(r.json["home"]["version"], 1);
    let r = s.json(Method::POST, "/api/v1/markers", Some(&jo), json!({"home": {"last_read_id": "200"}})).await;
    assert_eq!((r.json["home"]["last_read_id"].as_str(), r.json["home"]["version"].as_i64()), (Some("200"), Some(2)));
    assert_eq!(r.json["notifications"]["last_read_id"], "7");
    s.json(Method::POST, "/api/v1/markers", Some(&jo), json!({"home": {"last_read_id": "abc"}})).await.error(400);
}

backend_tests!(scheduled_posts_publish_later, markers_remember_reading_positions);
