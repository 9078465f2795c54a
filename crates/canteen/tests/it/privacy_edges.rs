//! Privacy at the edges: circles that end with the relationship, re-posters and counts,
//! media caching and deletion, streams that end with the token.

use crate::support;

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;
use support::{Backend, TestServer};
use tower::ServiceExt;

async fn circles_end_with_the_follow(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (sam_acct, sam) = s.signed_in("sam").await;
    let sid = sam_acct.id.to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{sid}/follow"), Some(&jo), json!({})).await;
    let list = s.json(Method::POST, "/api/v1/lists", Some(&jo), json!({"title": "Close"})).await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.json(Method::POST, &format!("/api/v1/lists/{list}/accounts"), Some(&jo), json!({"account_ids": [sid]})).await;
    let first =
        s.post(&jo, json!({"status": "circle one", "canteen_visibility": format!("circle:{list}")})).await["id"]
            .as_str()
            .unwrap()
            .to_string();
    assert_eq!(s.get(&format!("/api/v1/statuses/{first}"), Some(&sam)).await.status, 200);
    s.json(Method::POST, &format!("/api/v1/accounts/{sid}/unfollow"), Some(&jo), json!({})).await;
    let second =
        s.post(&jo, json!({"status": "circle two", "canteen_visibility": format!("circle:{list}")})).await["id"]
            .as_str()
            .unwrap()
            .to_string();
    s.get(&format!("/api/v1/statuses/{second}"), Some(&sam)).await.error(404);
    s.get(&format!("/api/v1/statuses/{first}"), Some(&sam)).await.error(404);
}

async fn reposters_and_counts_respect_audiences(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let p = s.post(&jo, json!({"status": "public"})).await["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/statuses/{p}/reblog"), Some(&sam), json!({"visibility": "private"})).await;
    assert!(s.get(&format!("/api/v1/statuses/{p}/reblogged_by"), None).await.json.as_array().unwrap().is_empty());
    assert_eq!(s.get(&format!("/api/v1/statuses/{p}/reblogged_by"), Some(&sam)).await.json[0]["username"], "sam");
    s.post(&sam, json!({"status": "@jo secret reply", "visibility": "direct", "in_reply_to_id": p})).await;
    let seen = s.get(&format!("/api/v1/statuses/{p}"), None).await.json;
    assert_eq!(
        (seen["replies_count"].as_i64(), seen["reblogs_count"].as_i64()),
        (Some(0), Some(0)),
        "hidden replies and re-posts are not counted"
    );
    let sam_id =
        s.get("/api/v1/accounts/verify_credentials", Some(&sam)).await.json["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.get(&format!("/api/v1/accounts/{sam_id}"), None).await.json["statuses_count"],
        1,
        "direct messages are not counted"
    );
}

async fn media_of_private_and_deleted_posts(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let boundary = "b";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\r\n")
        .into_bytes();
    body.extend(support::jpeg_with_gps());
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let up = s
        .send(
            Request::post("/api/v2/media")
                .header("authorization", format!("Bearer {jo}"))
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let id = up.json["id"].as_str().unwrap().to_string();
    let path = up.json["url"].as_str().unwrap().strip_prefix(support::PUBLIC_URL).unwrap().to_string();
    let post = s
        .json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": "ward photo", "visibility": "private", "media_ids": [id], "canteen_media_confirmed": true}))
        .await;
    let get = |path: String| {
        let router = s.router.clone();
        async move { router.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap() }
    };
    let res = get(path.clone()).await;
    assert_eq!(res.headers()["cache-control"], "private, no-store", "a followers-only photo is not cached publicly");
    let pid = post.json["id"].as_str().unwrap();
    s.json(Method::DELETE, &format!("/api/v1/statuses/{pid}"), Some(&jo), json!({})).await;
    assert_eq!(get(path).await.status(), 404, "a deleted post's photo is gone");
}

async fn streams_end_when_the_token_does(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let stream = support::sse_open(&s, "/api/v1/streaming/public", Some(&jo)).await;
    canteen_app::admin::suspend(&s.app, "jo").await.unwrap();
    s.post(&sam, json!({"status": "after the suspension"})).await;
    s.run_jobs().await;
    let events = support::sse_collect(stream, std::time::Duration::from_secs(2)).await;
    assert!(events.iter().all(|(e, _)| e != "update"), "a suspended profile's stream carries nothing: {events:?}");
}

backend_tests!(
    circles_end_with_the_follow,
    reposters_and_counts_respect_audiences,
    media_of_private_and_deleted_posts,
    streams_end_when_the_token_does
);
