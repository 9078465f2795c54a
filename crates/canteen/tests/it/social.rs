//! Posts, threads, re-posts, likes, bookmarks, follows, blocks, mutes, timelines and
//! notifications over the Mastodon API.

use crate::support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{Backend, TestServer};

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
}

async fn post_render_edit_delete(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, alice) = s.signed_in("alice").await;
    let (bob_acct, _) = s.signed_in("bob").await;
    let st = s
        .post(&alice, json!({"status": "Hi @bob! Flu clinic https://example.nhs.uk/flu?a=1&b=2 #FluJab <script>x</script>", "language": "en", "spoiler_text": "", "canteen_place": "Ward 7 staff room"}))
        .await;
    let content = st["content"].as_str().unwrap();
    assert!(!content.contains("<script>"), "{content}");
    assert!(content.contains("&lt;script&gt;"));
    assert!(content.contains("class=\"u-url mention\""));
    assert!(content.contains("rel=\"tag\""));
    assert!(content.contains("href=\"https://example.nhs.uk/flu?a=1&amp;b=2\""));
    assert_eq!(st["mentions"][0]["id"], bob_acct.id.to_string());
    assert_eq!(st["tags"][0]["name"], "flujab");
    assert_eq!(st["visibility"], "public");
    assert_eq!(st["canteen_place"], "Ward 7 staff room");
    assert_eq!(st["account"]["username"], "alice");
    assert_eq!(
        st["uri"].as_str().unwrap(),
        format!("{}/users/alice/statuses/{}", support::PUBLIC_URL, st["id"].as_str().unwrap())
    );
    let id = st["id"].as_str().unwrap().to_string();

    // Limits and bad input, nothing written.
    let before = s.count("statuses").await;
    let long = s.json(Method::POST, "/api/v1/statuses", Some(&alice), json!({"status": "x".repeat(501)})).await;
    assert_eq!(long.json["details"]["status"][0]["error"], "ERR_TOO_LONG", "{}", long.text);
    let url_heavy = format!("{} {}", "x".repeat(470), "https://example.com/".to_string() + &"a".repeat(200));
    assert_eq!(
        s.json(Method::POST, "/api/v1/statuses", Some(&alice), json!({"status": url_heavy})).await.status,
        200,
        "links count as 23"
    );
    let blank = s.json(Method::POST, "/api/v1/statuses", Some(&alice), json!({"status": "  "})).await;
    assert_eq!(blank.json["details"]["status"][0]["error"], "ERR_BLANK");
    let bad_vis =
        s.json(Method::POST, "/api/v1/statuses", Some(&alice), json!({"status": "x", "visibility": "everyone"})).await;
    assert!(bad_vis.error(422).contains("everyone"));
    let bad_circle = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&alice),
            json!({"status": "x", "canteen_visibility": "circle:12345"}),
        )
        .await;
    bad_circle.error(422);
    let bad_reply =
        s.json(Method::POST, "/api/v1/statuses", Some(&alice), json!({"status": "x", "in_reply_to_id": "999"})).await;
    bad_reply.error(404);
    s.json(Method::POST, "/api/v1/statuses", None, json!({"status": "x"})).await.error(401);
    let read_only = s.token_for("alice", "read").await;
    s.json(Method::POST, "/api/v1/statuses", Some(&read_only), json!({"status": "x"})).await.error(403);
    assert_eq!(s.count("statuses").await, before + 1);

    // Idempotency-Key: the same request twice makes one post.
    let req = |key: &str| {
        axum::http::Request::post("/api/v1/statuses")
            .header("authorization", format!("Bearer {alice}"))
            .header("idempotency-key", key)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from("status=once"))
            .unwrap()
    };
    let first = s.send(req("k1")).await.json["id"].clone();
    let second = s.send(req("k1")).await.json["id"].clone();
    assert_eq!(first, second);

    // Edit with history and source.
    let edited = s
        .json(
            Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            Some(&alice),
            json!({"status": "Edited text #Updated", "spoiler_text": "cw"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert!(edited.json["edited_at"].is_string());
    assert_eq!(edited.json["spoiler_text"], "cw");
    assert_eq!(edited.json["sensitive"], true, "a content warning makes a post sensitive");
    let hist = s.get(&format!("/api/v1/statuses/{id}/history"), Some(&alice)).await.json;
    assert_eq!(hist.as_array().unwrap().len(), 2);
    assert!(hist[0]["content"].as_str().unwrap().contains("Flu clinic"));
    assert!(hist[1]["content"].as_str().unwrap().contains("Edited text"));
    let src = s.get(&format!("/api/v1/statuses/{id}/source"), Some(&alice)).await.json;
    assert_eq!(src["text"], "Edited text #Updated");
    let (_, carol) = s.signed_in("carol").await;
    s.json(Method::PUT, &format!("/api/v1/statuses/{id}"), Some(&carol), json!({"status": "hijack"})).await.error(404);
    s.get(&format!("/api/v1/statuses/{id}/source"), Some(&carol)).await.error(404);

    // Delete returns the text for redrafting; then it is gone.
    s.json(Method::DELETE, &format!("/api/v1/statuses/{id}"), Some(&carol), json!({})).await.error(404);
    let del = s.json(Method::DELETE, &format!("/api/v1/statuses/{id}"), Some(&alice), json!({})).await;
    assert_eq!(del.json["text"], "Edited text #Updated");
    s.get(&format!("/api/v1/statuses/{id}"), Some(&alice)).await.error(404);
}

async fn threads_reblogs_likes_bookmarks_pins(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, alice) = s.signed_in("alice").await;
    let (_, bob) = s.signed_in("bob").await;
    let root = s.post(&alice, json!({"status": "Root"})).await["id"].as_str().unwrap().to_string();
    let reply = s.post(&bob, json!({"status": "Reply", "in_reply_to_id": root})).await;
    assert_eq!(reply["in_reply_to_id"], root.as_str());
    let reply_id = reply["id"].as_str().unwrap().to_string();
    let deeper = s.post(&alice, json!({"status": "Deeper", "in_reply_to_id": reply_id})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ctx = s.get(&format!("/api/v1/statuses/{reply_id}/context"), None).await.json;
    assert_eq!(ids(&ctx["ancestors"]), vec![root.clone()]);
    assert_eq!(ids(&ctx["descendants"]), vec![deeper.clone()]);

    let rb = s.json(Method::POST, &format!("/api/v1/statuses/{root}/reblog"), Some(&bob), json!({})).await;
    assert_eq!(rb.status, 200, "{}", rb.text);
    assert_eq!(rb.json["reblog"]["id"], root.as_str());
    assert_eq!(rb.json["reblog"]["reblogged"], true);
    let again = s.json(Method::POST, &format!("/api/v1/statuses/{root}/reblog"), Some(&bob), json!({})).await;
    assert_eq!(again.json["id"], rb.json["id"], "re-posting twice is one re-post");
    let fav = s.json(Method::POST, &format!("/api/v1/statuses/{root}/favourite"), Some(&bob), json!({})).await;
    assert_eq!(fav.json["favourited"], true);
    assert_eq!(fav.json["favourites_count"], 1);
    assert_eq!(fav.json["reblogs_count"], 1);
    assert_eq!(fav.json["replies_count"], 1);
    let bm = s.json(Method::POST, &format!("/api/v1/statuses/{root}/bookmark"), Some(&bob), json!({})).await;
    assert_eq!(bm.json["bookmarked"], true);
    assert_eq!(ids(&s.get("/api/v1/bookmarks", Some(&bob)).await.json), vec![root.clone()]);
    let favs = s.get("/api/v1/favourites", Some(&bob)).await;
    assert_eq!(ids(&favs.json), vec![root.clone()]);
    assert!(favs.headers.contains_key("link"));
    // Paging favourites: min_id and since_id work on the favourite's own id, as the Link header says.
    let p2 = s.post(&alice, json!({"status": "second"})).await["id"].as_str().unwrap().to_string();
    let fav2 = s.json(Method::POST, &format!("/api/v1/statuses/{p2}/favourite"), Some(&bob), json!({})).await;
    assert_eq!(fav2.status, 200);
    let both = s.get("/api/v1/favourites", Some(&bob)).await;
    assert_eq!(ids(&both.json), vec![p2.clone(), root.clone()]);
    let link = both.headers["link"].to_str().unwrap().to_string();
    let next = link.split(';').next().unwrap().trim_matches(|c| c == '<' || c == '>').to_string();
    let older = s.get(next.strip_prefix(support::PUBLIC_URL).unwrap(), Some(&bob)).await;
    assert!(ids(&older.json).is_empty(), "nothing older than the last favourite");
    let prev =
        link.split(", ").nth(1).unwrap().split(';').next().unwrap().trim_matches(|c| c == '<' || c == '>').to_string();
    let newer = s.get(prev.strip_prefix(support::PUBLIC_URL).unwrap(), Some(&bob)).await;
    assert!(ids(&newer.json).is_empty(), "nothing newer than the newest favourite");
    s.json(Method::POST, &format!("/api/v1/statuses/{p2}/unfavourite"), Some(&bob), json!({})).await;
    let by = s.get(&format!("/api/v1/statuses/{root}/favourited_by"), None).await.json;
    assert_eq!(by[0]["username"], "bob");
    let by = s.get(&format!("/api/v1/statuses/{root}/reblogged_by"), None).await.json;
    assert_eq!(by[0]["username"], "bob");
    s.json(Method::POST, &format!("/api/v1/statuses/{root}/unfavourite"), Some(&bob), json!({})).await;
    s.json(Method::POST, &format!("/api/v1/statuses/{root}/unbookmark"), Some(&bob), json!({})).await;
    let un = s.json(Method::POST, &format!("/api/v1/statuses/{root}/unreblog"), Some(&bob), json!({})).await.json;
    assert_eq!(
        (un["favourited"].as_bool(), un["reblogged"].as_bool(), un["reblogs_count"].as_i64()),
        (Some(false), Some(false), Some(0))
    );

    let pinned = s.json(Method::POST, &format!("/api/v1/statuses/{root}/pin"), Some(&alice), json!({})).await.json;
    assert_eq!(pinned["pinned"], true);
    let alice_id = pinned["account"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        ids(&s.get(&format!("/api/v1/accounts/{alice_id}/statuses?pinned=true"), None).await.json),
        vec![root.clone()]
    );
    s.json(Method::POST, &format!("/api/v1/statuses/{root}/pin"), Some(&bob), json!({})).await.error(404);

    // Followers-only posts cannot be re-posted by others.
    let private = s.post(&alice, json!({"status": "followers only", "visibility": "private"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bob_acct =
        s.get("/api/v1/accounts/verify_credentials", Some(&bob)).await.json["id"].as_str().unwrap().to_string();
    let _ = bob_acct;
    s.json(Method::POST, &format!("/api/v1/accounts/{alice_id}/follow"), Some(&bob), json!({})).await;
    s.json(Method::POST, &format!("/api/v1/statuses/{private}/reblog"), Some(&bob), json!({})).await.error(422);
}

async fn follows_requests_blocks_mutes_and_home(b: Backend) {
    let s = TestServer::new(b).await;
    let (alice_acct, alice) = s.signed_in("alice").await;
    let (bob_acct, bob) = s.signed_in("bob").await;
    let a = alice_acct.id.to_string();
    let bo = bob_acct.id.to_string();
    // Bob locks his profile: Alice's follow becomes a request.
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&bob), json!({"locked": true})).await;
    let r = s.json(Method::POST, &format!("/api/v1/accounts/{bo}/follow"), Some(&alice), json!({})).await.json;
    assert_eq!((r["following"].as_bool(), r["requested"].as_bool()), (Some(false), Some(true)));
    let reqs = s.get("/api/v1/follow_requests", Some(&bob)).await.json;
    assert_eq!(reqs[0]["id"], a.as_str());
    let n = s.get("/api/v1/notifications", Some(&bob)).await.json;
    assert_eq!(n[0]["type"], "follow_request");
    let rel = s.json(Method::POST, &format!("/api/v1/follow_requests/{a}/authorize"), Some(&bob), json!({})).await.json;
    assert_eq!(rel["followed_by"], true);
    let rel = s.get(&format!("/api/v1/accounts/relationships?id[]={bo}"), Some(&alice)).await.json;
    assert_eq!(
        (rel[0]["following"].as_bool(), rel[0]["requested"].as_bool(), rel[0]["showing_reblogs"].as_bool()),
        (Some(true), Some(false), Some(true))
    );
    s.json(Method::POST, &format!("/api/v1/follow_requests/{a}/reject"), Some(&bob), json!({})).await.error(404);

    // Bob's followers-only post reaches Alice's home feed via the fan-out job.
    let p = s.post(&bob, json!({"status": "for followers", "visibility": "private"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(s.run_jobs().await >= 1);
    let home = s.get("/api/v1/timelines/home", Some(&alice)).await;
    assert_eq!(ids(&home.json), vec![p.clone()]);
    assert!(home.headers["link"].to_str().unwrap().contains("max_id="));
    assert_eq!(
        ids(&s.get("/api/v1/timelines/home", Some(&bob)).await.json),
        vec![p.clone()],
        "authors see their own posts at home"
    );

    // Followers lists honour hide_collections.
    assert_eq!(ids(&s.get(&format!("/api/v1/accounts/{bo}/followers"), None).await.json), vec![a.clone()]);
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&bob), json!({"hide_collections": true})).await;
    assert!(s.get(&format!("/api/v1/accounts/{bo}/followers"), None).await.json.as_array().unwrap().is_empty());
    assert_eq!(
        ids(&s.get(&format!("/api/v1/accounts/{bo}/followers"), Some(&bob)).await.json),
        vec![a.clone()],
        "the owner still sees them"
    );

    // Muting hides Bob from Alice's home without unfollowing.
    s.json(Method::POST, &format!("/api/v1/accounts/{bo}/mute"), Some(&alice), json!({"notifications": true})).await;
    assert!(s.get("/api/v1/timelines/home", Some(&alice)).await.json.as_array().unwrap().is_empty());
    assert_eq!(s.get("/api/v1/mutes", Some(&alice)).await.json[0]["id"], bo.as_str());
    s.json(Method::POST, &format!("/api/v1/accounts/{bo}/unmute"), Some(&alice), json!({})).await;
    assert_eq!(ids(&s.get("/api/v1/timelines/home", Some(&alice)).await.json), vec![p.clone()]);
    let bad =
        s.json(Method::POST, &format!("/api/v1/accounts/{bo}/mute"), Some(&alice), json!({"duration": "soon"})).await;
    bad.error(422);

    // Blocking ends the follow both ways and hides each from the other.
    let rel = s.json(Method::POST, &format!("/api/v1/accounts/{a}/block"), Some(&bob), json!({})).await.json;
    assert_eq!((rel["blocking"].as_bool(), rel["followed_by"].as_bool()), (Some(true), Some(false)));
    assert!(s.get("/api/v1/timelines/home", Some(&alice)).await.json.as_array().unwrap().is_empty());
    let public = s.post(&bob, json!({"status": "public after block"})).await["id"].as_str().unwrap().to_string();
    s.get(&format!("/api/v1/statuses/{public}"), Some(&alice)).await.error(404);
    assert_eq!(s.get(&format!("/api/v1/statuses/{public}"), None).await.status, 200, "still public to everyone else");
    s.json(Method::POST, &format!("/api/v1/accounts/{bo}/follow"), Some(&alice), json!({})).await.error(403);
    assert_eq!(s.get("/api/v1/blocks", Some(&bob)).await.json[0]["id"], a.as_str());
    s.json(Method::POST, &format!("/api/v1/accounts/{a}/unblock"), Some(&bob), json!({})).await;
    s.json(Method::POST, &format!("/api/v1/accounts/{a}/follow"), Some(&alice), json!({})).await.error(403);
}

async fn notifications_and_their_rules(b: Backend) {
    let s = TestServer::new(b).await;
    let (alice_acct, alice) = s.signed_in("alice").await;
    let (bob_acct, bob) = s.signed_in("bob").await;
    let (_, carol) = s.signed_in("carol").await;
    let a = alice_acct.id.to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{a}/follow"), Some(&bob), json!({})).await;
    let p = s.post(&alice, json!({"status": "hello"})).await["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/statuses/{p}/favourite"), Some(&bob), json!({})).await;
    s.post(&carol, json!({"status": "@alice look"})).await;
    s.json(Method::POST, &format!("/api/v1/statuses/{p}/reblog"), Some(&carol), json!({})).await;
    s.run_jobs().await;
    s.run_jobs().await;
    let list = s.get("/api/v1/notifications", Some(&alice)).await.json;
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["reblog", "mention", "favourite", "follow"], "{list}");
    let only = s.get("/api/v1/notifications?types[]=mention", Some(&alice)).await.json;
    assert_eq!(only.as_array().unwrap().len(), 1);
    let excl = s.get("/api/v1/notifications?exclude_types[]=follow&exclude_types[]=favourite", Some(&alice)).await.json;
    assert_eq!(excl.as_array().unwrap().len(), 2);
    let one_id = list[0]["id"].as_str().unwrap().to_string();
    assert_eq!(s.get(&format!("/api/v1/notifications/{one_id}"), Some(&alice)).await.json["type"], "reblog");
    s.get(&format!("/api/v1/notifications/{one_id}"), Some(&bob)).await.error(404);
    s.json(Method::POST, &format!("/api/v1/notifications/{one_id}/dismiss"), Some(&alice), json!({})).await;
    assert_eq!(s.get("/api/v1/notifications", Some(&alice)).await.json.as_array().unwrap().len(), 3);

    // Muting notifications (or blocking) silences an account, also for what is already there.
    let c = s.get("/api/v1/accounts/verify_credentials", Some(&carol)).await.json["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{c}/mute"), Some(&alice), json!({"notifications": true})).await;
    let after = s.get("/api/v1/notifications", Some(&alice)).await.json;
    assert!(after.as_array().unwrap().iter().all(|n| n["account"]["username"] != "carol"));
    s.post(&carol, json!({"status": "@alice again"})).await;
    s.run_jobs().await;
    s.json(Method::POST, &format!("/api/v1/accounts/{c}/unmute"), Some(&alice), json!({})).await;
    let mentions = s.get("/api/v1/notifications?types[]=mention", Some(&alice)).await.json;
    assert_eq!(mentions.as_array().unwrap().len(), 1, "no notification was made while muted");

    // A direct post mentioning someone else notifies only them.
    let bo = bob_acct.id.to_string();
    let _ = bo;
    s.post(&carol, json!({"status": "@bob private word", "visibility": "direct"})).await;
    s.run_jobs().await;
    let bob_n = s.get("/api/v1/notifications?types[]=mention", Some(&bob)).await.json;
    assert_eq!(bob_n[0]["status"]["visibility"], "direct");
    s.json(Method::POST, "/api/v1/notifications/clear", Some(&alice), json!({})).await;
    assert!(s.get("/api/v1/notifications", Some(&alice)).await.json.as_array().unwrap().is_empty());
    assert_eq!(s.get("/api/v2/notifications/policy", Some(&alice)).await.json["for_not_following"], "accept");
}

async fn public_and_tag_timelines_page_like_mastodon(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, alice) = s.signed_in("alice").await;
    let mut posted = Vec::new();
    for i in 0..5 {
        posted.push(
            s.post(&alice, json!({"status": format!("post {i} #Ward7")})).await["id"].as_str().unwrap().to_string(),
        );
    }
    s.post(&alice, json!({"status": "unlisted #Ward7", "visibility": "unlisted"})).await;
    posted.reverse();
    let all = s.get("/api/v1/timelines/public?limit=2", None).await;
    assert_eq!(ids(&all.json), posted[..2].to_vec());
    let link = all.headers["link"].to_str().unwrap().to_string();
    assert!(
        link.contains(&format!("max_id={}", posted[1])) && link.contains(&format!("min_id={}", posted[0])),
        "{link}"
    );
    let next = s.get(&format!("/api/v1/timelines/public?limit=2&max_id={}", posted[1]), None).await;
    assert_eq!(ids(&next.json), posted[2..4].to_vec());
    let newer = s.get(&format!("/api/v1/timelines/public?limit=2&min_id={}", posted[4]), None).await;
    assert_eq!(ids(&newer.json), posted[2..4].to_vec(), "min_id pages upward, still newest first");
    let since = s.get(&format!("/api/v1/timelines/public?since_id={}", posted[1]), None).await;
    assert_eq!(ids(&since.json), vec![posted[0].clone()]);
    let tag = s.get("/api/v1/timelines/tag/ward7?limit=40", None).await;
    assert_eq!(tag.json.as_array().unwrap().len(), 5, "unlisted posts are not listed");
    assert!(s.get("/api/v1/timelines/public?remote=true", None).await.json.as_array().unwrap().is_empty());
    assert_eq!(ids(&s.get("/api/v1/timelines/public?local=true&limit=1", None).await.json), vec![posted[0].clone()]);
    let huge = s.get("/api/v1/timelines/public?limit=1000", None).await;
    assert_eq!(huge.json.as_array().unwrap().len(), 5);
}

async fn profile_counters_and_followers_only_fields(b: Backend) {
    let s = TestServer::new(b).await;
    let (alice_acct, alice) = s.signed_in("alice").await;
    let (_, bob) = s.signed_in("bob").await;
    let a = alice_acct.id.to_string();
    s.json(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        Some(&alice),
        json!({"canteen": {"location": "Dundee", "location_visibility": "followers"}}),
    )
    .await;
    s.post(&alice, json!({"status": "one"})).await;
    s.post(&alice, json!({"status": "two"})).await;
    let before = s.get(&format!("/api/v1/accounts/{a}"), Some(&bob)).await.json;
    assert_eq!((before["followers_count"].as_i64(), before["statuses_count"].as_i64()), (Some(0), Some(2)));
    assert!(before["canteen"]["location"].is_null(), "not a follower yet");
    s.json(Method::POST, &format!("/api/v1/accounts/{a}/follow"), Some(&bob), json!({})).await;
    let after = s.get(&format!("/api/v1/accounts/{a}"), Some(&bob)).await.json;
    assert_eq!(after["followers_count"], 1);
    assert_eq!(after["canteen"]["location"], "Dundee", "followers see followers-only details");
    assert!(s.get(&format!("/api/v1/accounts/{a}"), None).await.json["canteen"]["location"].is_null());
    let me = s.get("/api/v1/accounts/verify_credentials", Some(&bob)).await.json;
    assert_eq!(me["following_count"], 1);
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&alice), json!({"hide_collections": true})).await;
    assert_eq!(s.get(&format!("/api/v1/accounts/{a}"), Some(&bob)).await.json["followers_count"], 0);
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&alice)).await.json["followers_count"], 1);
}

async fn lists_crud_and_validation(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, alice) = s.signed_in("alice").await;
    let (bob_acct, bob) = s.signed_in("bob").await;
    let bo = bob_acct.id.to_string();
    let l = s.json(Method::POST, "/api/v1/lists", Some(&alice), json!({"title": "Ward team"})).await;
    assert_eq!(l.json["replies_policy"], "list");
    let id = l.json["id"].as_str().unwrap().to_string();
    s.json(Method::POST, "/api/v1/lists", Some(&alice), json!({"title": " "})).await.error(422);
    s.json(Method::POST, "/api/v1/lists", Some(&alice), json!({"title": "x", "replies_policy": "all"}))
        .await
        .error(422);
    let not_followed =
        s.json(Method::POST, &format!("/api/v1/lists/{id}/accounts"), Some(&alice), json!({"account_ids": [bo]})).await;
    not_followed.error(404);
    s.json(Method::POST, &format!("/api/v1/accounts/{bo}/follow"), Some(&alice), json!({})).await;
    let add =
        s.form(Method::POST, &format!("/api/v1/lists/{id}/accounts"), Some(&alice), &[("account_ids[]", &bo)]).await;
    assert_eq!(add.status, 200, "{}", add.text);
    assert_eq!(s.get(&format!("/api/v1/lists/{id}/accounts"), Some(&alice)).await.json[0]["id"], bo.as_str());
    let p = s.post(&bob, json!({"status": "from the list"})).await["id"].as_str().unwrap().to_string();
    assert_eq!(ids(&s.get(&format!("/api/v1/timelines/list/{id}"), Some(&alice)).await.json), vec![p]);
    s.get(&format!("/api/v1/lists/{id}"), Some(&bob)).await.error(404);
    s.get(&format!("/api/v1/timelines/list/{id}"), Some(&bob)).await.error(404);
    let renamed =
        s.json(Method::PUT, &format!("/api/v1/lists/{id}"), Some(&alice), json!({"title": "Day shift"})).await;
    assert_eq!(renamed.json["title"], "Day shift");
    s.json(Method::DELETE, &format!("/api/v1/lists/{id}/accounts"), Some(&alice), json!({"account_ids": [bo]})).await;
    assert!(s.get(&format!("/api/v1/lists/{id}/accounts"), Some(&alice)).await.json.as_array().unwrap().is_empty());
    s.json(Method::DELETE, &format!("/api/v1/lists/{id}"), Some(&alice), json!({})).await;
    assert!(s.get("/api/v1/lists", Some(&alice)).await.json.as_array().unwrap().is_empty());
}

/// Posts made at the same moment are written in shared transactions (group commit): every
/// one is acknowledged, readable and fanned out, and two requests with one idempotency key
/// make one post even when they land in the same transaction.
async fn posts_made_together_all_land(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, reader) = s.signed_in("reader").await;
    let mut posters = Vec::new();
    for n in 0..8 {
        let (acct, token) = s.signed_in(&format!("poster{n}")).await;
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", acct.id), Some(&reader), json!({})).await;
        posters.push(token);
    }
    let before = s.count("statuses").await;
    let made = futures_util::future::join_all(posters.iter().enumerate().flat_map(|(n, token)| {
        let s = &s;
        (0..4).map(move |k| async move {
            s.json(
                Method::POST,
                "/api/v1/statuses",
                Some(token),
                json!({"status": format!("shift note {n}-{k} #ward")}),
            )
            .await
        })
    }))
    .await;
    let mut ids: Vec<String> = made
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text);
            r.json["id"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 32, "every post got its own id");
    let keyed = |key: &'static str| {
        axum::http::Request::post("/api/v1/statuses")
            .header("authorization", format!("Bearer {}", posters[0]))
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"status": "said once"}"#))
            .unwrap()
    };
    let (a, b2) = tokio::join!(s.send(keyed("same")), s.send(keyed("same")));
    assert_eq!((a.status.as_u16(), b2.status.as_u16()), (200, 200), "{} {}", a.text, b2.text);
    assert_eq!(a.json["id"], b2.json["id"], "one idempotency key, one post");
    assert_eq!(s.count("statuses").await, before + 33);
    // The answer to a new post is built from the request, not read back: it must be what a
    // read gives.
    let made = s
        .post(
            &posters[1],
            json!({"status": "@poster3 @poster2 see #Flu and #flu and #Audit", "visibility": "unlisted"}),
        )
        .await;
    let read = s.get(&format!("/api/v1/statuses/{}", made["id"].as_str().unwrap()), Some(&posters[1])).await.json;
    assert_eq!(made, read);
    assert_eq!(made["mentions"].as_array().unwrap().len(), 2);
    assert_eq!(made["tags"].as_array().unwrap().len(), 2);
    s.run_jobs().await;
    let home = s.get("/api/v1/timelines/home?limit=40", Some(&reader)).await.json;
    assert_eq!(home.as_array().unwrap().len(), 34, "every post reached the follower's home timeline");
    let tagged = s.get("/api/v1/timelines/tag/ward?limit=40", None).await.json;
    assert_eq!(tagged.as_array().unwrap().len(), 32, "every post kept its hashtag");
}

/// Following with `reblogs: false`, or turning re-posts off later, keeps that account's
/// re-posts out of the home timeline, including those already in it (as Mastodon does); their
/// own posts stay.
async fn turning_reposts_off_takes_them_out_of_home(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, alice) = s.signed_in("alice").await;
    let (bob_acct, bob) = s.signed_in("bob").await;
    let (_, carol) = s.signed_in("carol").await;
    let (_, dave) = s.signed_in("dave").await;
    let original = s.post(&carol, json!({"status": "worth sharing"})).await["id"].as_str().unwrap().to_string();
    let own = s.post(&bob, json!({"status": "bob's own"})).await["id"].as_str().unwrap().to_string();
    let repost = s.json(Method::POST, &format!("/api/v1/statuses/{original}/reblog"), Some(&bob), json!({})).await;
    let repost = repost.json["id"].as_str().unwrap().to_string();
    s.run_jobs().await;
    let follow = format!("/api/v1/accounts/{}/follow", bob_acct.id);
    s.json(Method::POST, &follow, Some(&alice), json!({})).await;
    let r = s.json(Method::POST, &follow, Some(&dave), json!({"reblogs": false})).await;
    assert_eq!(r.json["showing_reblogs"], false, "{}", r.text);
    let home = |t: &str| {
        let t = t.to_string();
        let s = &s;
        async move { ids(&s.get("/api/v1/timelines/home", Some(&t)).await.json) }
    };
    assert_eq!(home(&alice).await, vec![repost.clone(), own.clone()], "a new follow brings recent re-posts");
    assert_eq!(home(&dave).await, vec![own.clone()], "but not for one who asked for no re-posts");
    let r = s.json(Method::POST, &follow, Some(&alice), json!({"reblogs": false})).await;
    assert_eq!(r.json["showing_reblogs"], false, "{}", r.text);
    assert_eq!(home(&alice).await, vec![own.clone()], "turned off: the re-post already there goes");
}

backend_tests!(
    turning_reposts_off_takes_them_out_of_home,
    posts_made_together_all_land,
    profile_counters_and_followers_only_fields,
    lists_crud_and_validation,
    post_render_edit_delete,
    threads_reblogs_likes_bookmarks_pins,
    follows_requests_blocks_mutes_and_home,
    notifications_and_their_rules,
    public_and_tag_timelines_page_like_mastodon,
);
