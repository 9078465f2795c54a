//! Hybrid fan-out (decision 0004): an author with more followers than the threshold is not
//! fanned out to them; their home timelines merge the author's posts in when read. Pages must
//! come out exactly as if every post had been fanned out.

use crate::support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{Backend, TestServer};

fn ids(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s["id"].as_str().map(String::from)).collect()).unwrap_or_default()
}

/// Every page of `token`'s home timeline, `limit` at a time, following `max_id` down.
async fn all_pages(s: &TestServer, token: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = format!("/api/v1/timelines/home?limit={limit}");
    for _ in 0..20 {
        let page = ids(&s.get(&path, Some(token)).await.json);
        let Some(last) = page.last().cloned() else { break };
        out.extend(page);
        path = format!("/api/v1/timelines/home?limit={limit}&max_id={last}");
    }
    out
}

async fn home_pull(b: Backend) {
    let s = TestServer::with(b, |c| c.home_feed_pull_threshold = 2, support::relaxed_limits()).await;
    let (big, bt) = s.signed_in("trustpage").await;
    let (small, st) = s.signed_in("colleague").await;
    let (_, f1) = s.signed_in("fan1").await;
    let (_, f2) = s.signed_in("fan2").await;
    let (_, f3) = s.signed_in("fan3").await;
    let (_, xt) = s.signed_in("stranger").await;
    for t in [&f1, &f2, &f3] {
        let r = s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", big.id), Some(t), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", small.id), Some(&f1), json!({})).await;
    s.run_jobs().await;
    // The third follower took the page past the threshold: it is pulled before it posts.
    assert_eq!(s.count("home_pull_authors").await, 1);

    // Interleaved: the colleague's posts are fanned out, the page's are pulled.
    let mut made = Vec::new();
    for (token, body) in [
        (&st, json!({"status": "p1", "visibility": "public"})),
        (&bt, json!({"status": "b1", "visibility": "public"})),
        (&st, json!({"status": "p2", "visibility": "public"})),
        (&bt, json!({"status": "b2 for followers", "visibility": "private"})),
        (&bt, json!({"status": "@fan2 @stranger b3 direct", "visibility": "direct"})),
        (&st, json!({"status": "p3", "visibility": "public"})),
    ] {
        made.push(s.post(token, body).await["id"].as_str().unwrap().to_string());
        s.run_jobs().await;
    }
    let [p1, b1, p2, b2, b3, p3] = <[String; 6]>::try_from(made).unwrap();

    assert_eq!(s.count("home_pull_authors").await, 1, "only the page is pulled");
    // The page's public post has one feed row, its own; the colleague's reached fan1's feed.
    assert_eq!(s.count(&format!("home_feed WHERE status_id = {b1}")).await, 1);
    assert_eq!(s.count(&format!("home_feed WHERE status_id = {p1}")).await, 2);

    // fan1 follows both: every post once, newest first, across pages of every size.
    let want = vec![p3.clone(), b2.clone(), p2.clone(), b1.clone(), p1.clone()];
    for limit in [1, 2, 3, 20] {
        assert_eq!(all_pages(&s, &f1, limit).await, want, "pages of {limit}");
    }
    // min_id: the posts just newer than p1, newest first (Mastodon's order).
    let r = s.get(&format!("/api/v1/timelines/home?limit=2&min_id={p1}"), Some(&f1)).await;
    assert_eq!(ids(&r.json), vec![p2.clone(), b1.clone()]);
    // since_id: the newest posts above b1.
    let r = s.get(&format!("/api/v1/timelines/home?since_id={b1}"), Some(&f1)).await;
    assert_eq!(ids(&r.json), vec![p3.clone(), b2.clone(), p2.clone()]);

    // fan2 was mentioned in the direct post: it arrives by fan-out, once, beside the pulled ones.
    assert_eq!(all_pages(&s, &f2, 2).await, vec![b3.clone(), b2.clone(), b1.clone()]);
    // The stranger follows no one: only the post addressed to them.
    assert_eq!(all_pages(&s, &xt, 20).await, vec![b3.clone()]);
    // The page's own home has all of its posts.
    assert_eq!(all_pages(&s, &bt, 20).await, vec![b3.clone(), b2.clone(), b1.clone()]);

    // Unfollowing ends it at once; a block too.
    s.json(Method::POST, &format!("/api/v1/accounts/{}/unfollow", big.id), Some(&f3), json!({})).await;
    assert!(all_pages(&s, &f3, 20).await.is_empty());
    let fan1 = s.get("/api/v1/accounts/verify_credentials", Some(&f1)).await.json["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{fan1}/block"), Some(&bt), json!({})).await;
    assert_eq!(all_pages(&s, &f1, 20).await, vec![p3, p2, p1]);
}

/// A follower's user stream, and their list stream for a list holding the author, get the
/// pulled author's new post (`Event::Followers`); a stranger's does not.
async fn home_pull_streams(b: Backend) {
    let s = TestServer::with(b, |c| c.home_feed_pull_threshold = 0, support::relaxed_limits()).await;
    let (big, bt) = s.signed_in("trustpage").await;
    let (_, ft) = s.signed_in("fan").await;
    let (_, xt) = s.signed_in("stranger").await;
    s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", big.id), Some(&ft), json!({})).await;
    s.run_jobs().await;
    let list = s.json(Method::POST, "/api/v1/lists", Some(&ft), json!({"title": "Trust news"})).await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s
        .json(
            Method::POST,
            &format!("/api/v1/lists/{list}/accounts"),
            Some(&ft),
            json!({"account_ids": [big.id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list_stream = support::sse_open(&s, &format!("/api/v1/streaming/list?list={list}"), Some(&ft)).await;
    let fan_stream = support::sse_open(&s, "/api/v1/streaming/user", Some(&ft)).await;
    let stranger_stream = support::sse_open(&s, "/api/v1/streaming/user", Some(&xt)).await;
    let id = s.post(&bt, json!({"status": "Car park B closed today", "visibility": "public"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.run_jobs().await;
    let window = std::time::Duration::from_secs(2);
    let got = support::sse_collect(fan_stream, window).await;
    assert!(
        got.iter().any(|(event, v)| event == "update" && v["id"].as_str() == Some(id.as_str())),
        "the follower's stream carries the post: {got:?}"
    );
    let got = support::sse_collect(list_stream, window).await;
    assert!(
        got.iter().any(|(event, v)| event == "update" && v["id"].as_str() == Some(id.as_str())),
        "the list holding the page carries it too: {got:?}"
    );
    let got = support::sse_collect(stranger_stream, window).await;
    assert!(!got.iter().any(|(event, _)| event == "update"), "the stranger's stream does not: {got:?}");
}

backend_tests!(home_pull, home_pull_streams);
