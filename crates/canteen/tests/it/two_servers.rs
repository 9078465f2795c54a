//! Two real `canteen serve` processes on loopback, federating through signed deliveries and the
//! job table: a person on A finds a locked account on B by its handle, asks to follow, is
//! approved, sees B's followers-only post arrive, replies (and B receives the reply); a second
//! person on A who does not follow sees nothing of it on any read path; a delete on B removes
//! the post on A. And B killed (SIGKILL) in the middle of a burst of deliveries loses none of
//! them: started again, it delivers the rest, each once.

use crate::support;

use std::time::Duration;

use reqwest::Client;
use serde_json::Value;
use support::{Backend, Spawned, TestDb, canteen_cmd};

backend_tests!(a_locked_account_on_another_server_is_followed_read_and_answered, deliveries_survive_a_kill_mid_burst);

const PASSWORD: &str = "a good password";

async fn token(c: &Client, base: &str, user: &str) -> String {
    support::password_token(c, base, user, PASSWORD).await
}

fn create_user(db: &TestDb, port: u16, name: &str) {
    let out = canteen_cmd()
        .env("CANTEEN_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .args(["admin", "create-user", name, "--email", &format!("{name}@nhs.net"), "--password", PASSWORD])
        .arg("--data-dir")
        .arg(db.dir.path())
        .args(["--database-url", &db.url])
        .output()
        .unwrap();
    assert!(out.status.success(), "create-user {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// One API call; returns (status, body).
async fn call(
    c: &Client,
    method: reqwest::Method,
    url: String,
    tok: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let build = || {
        let mut req = c.request(method.clone(), url.clone());
        if let Some(t) = tok {
            req = req.bearer_auth(t);
        }
        if !form.is_empty() {
            req = req.form(form);
        }
        req
    };
    // A loaded machine can close a pooled connection just as it is reused; a read is safe to
    // send again (a write is not: it could post twice).
    let mut res = build().send().await;
    for _ in 0..3 {
        match &res {
            Err(e) if method == reqwest::Method::GET && (e.is_request() || e.is_connect()) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                res = build().send().await;
            }
            _ => break,
        }
    }
    let res = res.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Polls `probe` until it returns `Some`, for up to 20 s (deliveries go through the job queue).
async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(what, 20, probe).await
}

/// As [`eventually`], for up to `secs` seconds.
async fn eventually_within<T, F, Fut>(what: &str, secs: u64, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..secs * 10 {
        if let Some(v) = probe().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn contents(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .map(|a| a.iter().map(|s| s["content"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

async fn a_locked_account_on_another_server_is_followed_read_and_answered(backend: Backend) {
    let (db_a, db_b) = (TestDb::new(backend).await, TestDb::new(backend).await);
    // Accounts take their URIs from the public URL when made, so the ports come first.
    let port_a = support::free_port();
    let port_b = std::iter::repeat_with(support::free_port).find(|p| *p != port_a).unwrap();
    create_user(&db_a, port_a, "alice");
    create_user(&db_a, port_a, "carol");
    create_user(&db_b, port_b, "bob");
    let env = [("CANTEEN_FEDERATION_ALLOW_PRIVATE", "[\"127.0.0.1\"]")];
    let (a, b) = (Spawned::start_on(&db_a, port_a, &env).await, Spawned::start_on(&db_b, port_b, &env).await);
    let c = Client::new();
    let (alice, carol, bob) =
        (token(&c, &a.base, "alice").await, token(&c, &a.base, "carol").await, token(&c, &b.base, "bob").await);
    let b_host = b.base.trim_start_matches("http://").to_string();
    let a_host = a.base.trim_start_matches("http://").to_string();
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    let (st, _) = call(
        &c,
        reqwest::Method::PATCH,
        format!("{}/api/v1/accounts/update_credentials", b.base),
        Some(&bob),
        &[("locked", "true")],
    )
    .await;
    assert_eq!(st, 200);

    // Resolving needs a signed-in searcher, as on Mastodon.
    let handle = format!("bob@{b_host}");
    let url = format!("{}/api/v2/search?q={}&resolve=true&type=accounts", a.base, handle);
    let (st, body) = call(&c, get.clone(), url.clone(), None, &[]).await;
    assert_eq!(st, 401, "{body}");
    let (st, found) = call(&c, get.clone(), url, Some(&alice), &[]).await;
    assert_eq!(st, 200, "{found}");
    if found["accounts"][0].is_null() {
        panic!("could not resolve {handle}: {found}\nA said:\n{}\nB said:\n{}", a.log(&db_a), b.log(&db_b));
    }
    let remote_bob = &found["accounts"][0];
    assert_eq!(remote_bob["acct"], handle.as_str(), "{found}");
    assert_eq!(remote_bob["uri"], format!("{}/users/bob", b.base));
    assert_eq!(remote_bob["locked"], true);
    let bob_id = remote_bob["id"].as_str().unwrap().to_string();
    // Once known, the lookup API finds it too.
    let (st, looked) =
        call(&c, get.clone(), format!("{}/api/v1/accounts/lookup?acct={handle}", a.base), Some(&carol), &[]).await;
    assert_eq!((st, looked["id"].as_str()), (200, Some(bob_id.as_str())));

    // Alice asks; the request waits on B until Bob approves it.
    let (st, rel) =
        call(&c, post.clone(), format!("{}/api/v1/accounts/{bob_id}/follow", a.base), Some(&alice), &[]).await;
    assert_eq!(st, 200, "{rel}");
    assert_eq!((rel["following"].as_bool(), rel["requested"].as_bool()), (Some(false), Some(true)), "{rel}");
    let requester = eventually("the follow request on B", || async {
        let (_, reqs) = call(&c, get.clone(), format!("{}/api/v1/follow_requests", b.base), Some(&bob), &[]).await;
        reqs.as_array().and_then(|r| r.first().cloned())
    })
    .await;
    assert_eq!(requester["acct"], format!("alice@{a_host}"));
    let rid = requester["id"].as_str().unwrap();
    let (st, _) =
        call(&c, post.clone(), format!("{}/api/v1/follow_requests/{rid}/authorize", b.base), Some(&bob), &[]).await;
    assert_eq!(st, 200);
    eventually("the Accept on A", || async {
        let url = format!("{}/api/v1/accounts/relationships?id[]={bob_id}", a.base);
        let (_, rels) = call(&c, get.clone(), url, Some(&alice), &[]).await;
        (rels[0]["following"] == true).then_some(())
    })
    .await;

    // Bob's followers-only post reaches Alice's home on A.
    let secret = "Rota swap on ward 9 this Friday, followers only";
    let (st, bob_post) = call(
        &c,
        post.clone(),
        format!("{}/api/v1/statuses", b.base),
        Some(&bob),
        &[("status", secret), ("visibility", "private")],
    )
    .await;
    assert_eq!(st, 200, "{bob_post}");
    let on_a = eventually("Bob's post in Alice's home", || async {
        let (_, home) = call(&c, get.clone(), format!("{}/api/v1/timelines/home", a.base), Some(&alice), &[]).await;
        home.as_array()
            .and_then(|h| h.iter().find(|s| s["content"].as_str().unwrap_or("").contains("Rota swap")).cloned())
    })
    .await;
    assert_eq!(on_a["visibility"], "private");
    assert_eq!(on_a["uri"], bob_post["uri"]);
    assert_eq!(on_a["account"]["acct"], handle.as_str());
    let local_id = on_a["id"].as_str().unwrap().to_string();

    // Carol (no follow) and anonymous readers see nothing of it, on any read path.
    for (who, tok) in [("carol", Some(carol.as_str())), ("anonymous", None)] {
        let (st, _) = call(&c, get.clone(), format!("{}/api/v1/statuses/{local_id}", a.base), tok, &[]).await;
        assert_eq!(st, 404, "{who} read the post");
        for path in ["timelines/public", "timelines/public?remote=true", &format!("accounts/{bob_id}/statuses")] {
            let (_, tl) = call(&c, get.clone(), format!("{}/api/v1/{path}", a.base), tok, &[]).await;
            assert!(!contents(&tl).iter().any(|t| t.contains("Rota swap")), "{who} saw it on {path}: {tl}");
        }
        let (_, found) =
            call(&c, get.clone(), format!("{}/api/v2/search?q=rota&type=statuses", a.base), tok, &[]).await;
        assert!(!contents(&found["statuses"]).iter().any(|t| t.contains("Rota swap")), "{who} found it: {found}");
    }
    let (_, home) = call(&c, get.clone(), format!("{}/api/v1/timelines/home", a.base), Some(&carol), &[]).await;
    assert!(!contents(&home).iter().any(|t| t.contains("Rota swap")), "carol's home: {home}");

    // Alice replies, mentioning Bob; B stores the reply in the thread and tells Bob.
    let reply_text = format!("@{handle} I can take the Friday shift");
    let (st, reply) = call(
        &c,
        post.clone(),
        format!("{}/api/v1/statuses", a.base),
        Some(&alice),
        &[("status", &reply_text), ("in_reply_to_id", &local_id), ("visibility", "private")],
    )
    .await;
    assert_eq!(st, 200, "{reply}");
    let mention = eventually("Alice's reply notified on B", || async {
        let (_, n) =
            call(&c, get.clone(), format!("{}/api/v1/notifications?types[]=mention", b.base), Some(&bob), &[]).await;
        n.as_array().and_then(|n| n.first().cloned())
    })
    .await;
    assert_eq!(mention["account"]["acct"], format!("alice@{a_host}"));
    assert_eq!(mention["status"]["in_reply_to_id"], bob_post["id"], "{mention}");
    assert!(mention["status"]["content"].as_str().unwrap().contains("Friday shift"));

    // Bob deletes; the copy on A goes.
    let (st, _) = call(
        &c,
        reqwest::Method::DELETE,
        format!("{}/api/v1/statuses/{}", b.base, bob_post["id"].as_str().unwrap()),
        Some(&bob),
        &[],
    )
    .await;
    assert_eq!(st, 200);
    eventually("the delete on A", || async {
        let (st, _) = call(&c, get.clone(), format!("{}/api/v1/statuses/{local_id}", a.base), Some(&alice), &[]).await;
        (st == 404).then_some(())
    })
    .await;
    let (_, home) = call(&c, get.clone(), format!("{}/api/v1/timelines/home", a.base), Some(&alice), &[]).await;
    assert!(!contents(&home).iter().any(|t| t.contains("Rota swap")), "still in alice's home: {home}");
}

async fn deliveries_survive_a_kill_mid_burst(backend: Backend) {
    const POSTS: usize = 40;
    let (db_a, db_b) = (TestDb::new(backend).await, TestDb::new(backend).await);
    let port_a = support::free_port();
    let port_b = std::iter::repeat_with(support::free_port).find(|p| *p != port_a).unwrap();
    create_user(&db_a, port_a, "alice");
    create_user(&db_b, port_b, "bob");
    let env = [("CANTEEN_FEDERATION_ALLOW_PRIVATE", "[\"127.0.0.1\"]")];
    let a = Spawned::start_on(&db_a, port_a, &env).await;
    let mut b = Spawned::start_on(&db_b, port_b, &env).await;
    let c = Client::new();
    let (alice, bob) = (token(&c, &a.base, "alice").await, token(&c, &b.base, "bob").await);
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    let b_host = b.base.trim_start_matches("http://").to_string();
    let url = format!("{}/api/v2/search?q=bob@{b_host}&resolve=true&type=accounts", a.base);
    let (_, found) = call(&c, get.clone(), url, Some(&alice), &[]).await;
    let bob_id = found["accounts"][0]["id"].as_str().unwrap_or_else(|| panic!("not resolved: {found}")).to_string();
    call(&c, post.clone(), format!("{}/api/v1/accounts/{bob_id}/follow", a.base), Some(&alice), &[]).await;
    eventually("the Accept on A", || async {
        let url = format!("{}/api/v1/accounts/relationships?id[]={bob_id}", a.base);
        let (_, rels) = call(&c, get.clone(), url, Some(&alice), &[]).await;
        (rels[0]["following"] == true).then_some(())
    })
    .await;

    // A burst of posts, each acknowledged, then B dies at once, deliveries under way.
    for i in 0..POSTS {
        let text = format!("Handover note {i} for the night team");
        let (st, body) =
            call(&c, post.clone(), format!("{}/api/v1/statuses", b.base), Some(&bob), &[("status", &text)]).await;
        assert_eq!(st, 200, "{body}");
    }
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let arrived = |home: &Value| contents(home).iter().filter(|t| t.contains("Handover note")).count();
    let home_url = format!("{}/api/v1/timelines/home?limit=80", a.base);
    let (_, home) = call(&c, get.clone(), home_url.clone(), Some(&alice), &[]).await;
    eprintln!("{} of {POSTS} posts had arrived when B was killed", arrived(&home));

    let _b = Spawned::start_on(&db_b, port_b, &env).await;
    // A delivery that timed out on a loaded machine before the kill waits out its back-off
    // (10 s, 20 s, then 40 s): this allows two minutes, so three failed tries still finish.
    eventually_within("every post on A after the restart", 120, || async {
        let (_, home) = call(&c, get.clone(), home_url.clone(), Some(&alice), &[]).await;
        (arrived(&home) >= POSTS).then_some(())
    })
    .await;
    // Each once: a delivery retried after the crash is recognised by its id.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, home) = call(&c, get.clone(), home_url, Some(&alice), &[]).await;
    assert_eq!(arrived(&home), POSTS, "{home}");
    let mut texts: Vec<String> = contents(&home);
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), POSTS);
}
