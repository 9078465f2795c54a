//! What a post looks like to other servers when it carries pictures or a poll: `Document`
//! attachments with their alt text, and a `Question` with its options and counts.

use crate::federation::{AP, get_as, server};
use crate::media::upload_request;
use crate::support;

use serde_json::json;
use support::Backend;

backend_tests!(pictures_and_polls_are_in_the_served_note);

async fn pictures_and_polls_are_in_the_served_note(backend: Backend) {
    let s = server(backend).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;

    let r = s
        .send(upload_request(
            &jo,
            "/api/v2/media",
            &support::jpeg_with_gps(),
            &[("description", "Ward 9 notice board")],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let media_id = r.json["id"].as_str().unwrap().to_string();
    let post = s
        .post(&jo, json!({"status": "New rota", "media_ids": [media_id], "canteen_media_confirmed": true, "visibility": "public"}))
        .await;
    let uri = post["uri"].as_str().unwrap();
    let note = get_as(&s, uri.strip_prefix(support::PUBLIC_URL).unwrap(), AP).await.json;
    let doc = &note["attachment"][0];
    assert_eq!(doc["type"], "Document", "{note}");
    assert_eq!(doc["name"], "Ward 9 notice board");
    assert_eq!(doc["mediaType"], "image/jpeg");
    assert_eq!(doc["url"], post["media_attachments"][0]["url"]);
    assert!(doc["width"].as_i64().unwrap() > 0 && doc["blurhash"].is_string());

    let poll_post = s
        .post(
            &jo,
            json!({"status": "Which day for the training?", "visibility": "public",
            "poll": {"options": ["Monday", "Thursday"], "expires_in": 3600}}),
        )
        .await;
    let poll_id = poll_post["poll"]["id"].as_str().unwrap();
    let r = s
        .json(axum::http::Method::POST, &format!("/api/v1/polls/{poll_id}/votes"), Some(&sam), json!({"choices": [1]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let uri = poll_post["uri"].as_str().unwrap();
    let q = get_as(&s, uri.strip_prefix(support::PUBLIC_URL).unwrap(), AP).await.json;
    assert_eq!(q["type"], "Question", "{q}");
    assert_eq!(q["oneOf"][0]["name"], "Monday");
    assert_eq!(q["oneOf"][1]["replies"]["totalItems"], 1);
    assert_eq!(q["votersCount"], 1);
    assert!(q["endTime"].is_string() && q.get("closed").is_none());
    // It reads back as a poll with our own parser, as other servers' are read.
    match canteen_federation::vocab::Object::from_value(q).unwrap() {
        canteen_federation::vocab::Object::Post(p) => assert!(p.is_poll()),
        other => panic!("not a post: {other:?}"),
    }
}
