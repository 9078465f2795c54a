//! Search: `/api/v2/search` and `/api/v1/accounts/search` — ranking, operators, paging,
//! bad queries, how the index follows changes, people and hashtags. The audience matrix
//! for search is part of tests/privacy.rs.

use crate::support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{Backend, TestServer};

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn statuses(s: &TestServer, q: &str, token: Option<&str>) -> Vec<String> {
    let path = format!("/api/v2/search?type=statuses&limit=40&q={}", urlencode(q));
    let r = s.get(&path, token).await;
    assert_eq!(r.status, 200, "{q}: {}", r.text);
    ids(&r.json["statuses"])
}

fn urlencode(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn ranking_and_operators(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let passing = s
        .post(
            &jo,
            json!({"status": "Long shift: audits, the new rota, a broken coffee machine, two leaving cakes, pump \
                   training and somebody asked where the sarcoma clinic moved to."}),
        )
        .await;
    let story = s
        .post(&sam, json!({"status": "Our sarcoma story: a rare sarcoma found at 34. Sarcoma UK helped us #sarcoma"}))
        .await;
    let reply = s
        .post(&jo, json!({"status": "Thank you for sharing this", "in_reply_to_id": story["id"].as_str().unwrap()}))
        .await;
    let poll = s
        .post(
            &jo,
            json!({"status": "Which haematology clinic slot suits you?", "poll": {"options": ["Morning", "Evening"], "expires_in": 3600}}),
        )
        .await;
    let linked = s.post(&sam, json!({"status": "Hematology guidance https://example.org/guide"})).await;
    let cw = s.post(&sam, json!({"status": "About grief", "spoiler_text": "death, loss", "language": "cy"})).await;
    s.run_jobs().await;

    // Relevance: the story about sarcoma before the post that mentions it in passing.
    assert_eq!(statuses(&s, "sarcoma", Some(&jo)).await, vec![id(&story), id(&passing)]);
    assert_eq!(statuses(&s, "Sarcomas", None).await, vec![id(&story), id(&passing)], "stemmed, and anonymous");
    // Newest first on request.
    let r = s.get("/api/v2/search?type=statuses&q=sarcoma&sort=newest", Some(&jo)).await;
    assert_eq!(ids(&r.json["statuses"]), vec![id(&story), id(&passing)]);
    // British and American spellings meet; poll options are searched too.
    let mut h = statuses(&s, "haematology", Some(&jo)).await;
    h.sort();
    let mut want = vec![id(&poll), id(&linked)];
    want.sort();
    assert_eq!(h, want);
    assert_eq!(statuses(&s, "evening", Some(&jo)).await, vec![id(&poll)]);
    // Operators.
    assert_eq!(statuses(&s, "sarcoma from:@sam", Some(&jo)).await, vec![id(&story)]);
    assert_eq!(statuses(&s, "sarcoma from:me", Some(&jo)).await, vec![id(&passing)]);
    assert_eq!(statuses(&s, "sarcoma from:nobody_here", Some(&jo)).await, Vec::<String>::new());
    assert_eq!(statuses(&s, "has:poll", Some(&jo)).await, vec![id(&poll)]);
    assert_eq!(statuses(&s, "hematology has:link", Some(&jo)).await, vec![id(&linked)]);
    assert_eq!(statuses(&s, "is:reply", Some(&jo)).await, vec![id(&reply)]);
    assert_eq!(statuses(&s, "#sarcoma", Some(&jo)).await, vec![id(&story)]);
    assert_eq!(statuses(&s, "\"sarcoma clinic\"", Some(&jo)).await, vec![id(&passing)]);
    assert_eq!(statuses(&s, "sarcoma -rota", Some(&jo)).await, vec![id(&story)]);
    assert_eq!(statuses(&s, "grief is:sensitive language:cy", Some(&jo)).await, vec![id(&cw)]);
    assert_eq!(statuses(&s, "loss", Some(&jo)).await, vec![id(&cw)], "content warnings are searched");
    assert_eq!(statuses(&s, "sarcoma before:2000-01-01", Some(&jo)).await, Vec::<String>::new());
    assert_eq!(statuses(&s, "sarcoma after:2000-01-01", Some(&jo)).await.len(), 2);
    // in:library is what the searcher favourited or bookmarked.
    s.json(Method::POST, &format!("/api/v1/statuses/{}/bookmark", id(&story)), Some(&jo), json!({})).await;
    assert_eq!(statuses(&s, "sarcoma in:library", Some(&jo)).await, vec![id(&story)]);
    s.get("/api/v2/search?q=sarcoma%20in:library", None).await.error(401);
    // account_id limits to one author.
    let sam_id = s.get("/api/v1/accounts/lookup?acct=sam", None).await.json["id"].as_str().unwrap().to_string();
    let r = s.get(&format!("/api/v2/search?type=statuses&q=sarcoma&account_id={sam_id}"), Some(&jo)).await;
    assert_eq!(ids(&r.json["statuses"]), vec![id(&story)]);

    // Paging: limit, offset, max_id.
    let r = s.get("/api/v2/search?type=statuses&q=sarcoma&limit=1", Some(&jo)).await;
    assert_eq!(ids(&r.json["statuses"]), vec![id(&story)]);
    let r = s.get("/api/v2/search?type=statuses&q=sarcoma&limit=1&offset=1", Some(&jo)).await;
    assert_eq!(ids(&r.json["statuses"]), vec![id(&passing)]);
    let r = s.get(&format!("/api/v2/search?type=statuses&q=sarcoma&max_id={}", id(&story)), Some(&jo)).await;
    assert_eq!(ids(&r.json["statuses"]), vec![id(&passing)]);
    // The full answer has all three keys, in Mastodon's shapes.
    let r = s.get("/api/v2/search?q=sarcoma", Some(&jo)).await;
    assert!(r.json["accounts"].is_array() && r.json["hashtags"].is_array());
    assert_eq!(r.json["statuses"][0]["account"]["acct"], "sam");
    assert_eq!(r.json["hashtags"][0]["name"], "sarcoma");
}

async fn bad_queries_get_clear_errors(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let cases: Vec<(String, u16, &str)> = vec![
        ("/api/v2/search".into(), 400, "Param is missing or the value is empty: q"),
        ("/api/v2/search?q=%20%20".into(), 400, "Param is missing or the value is empty: q"),
        (format!("/api/v2/search?q={}", "a".repeat(600)), 422, "The search is too long: 600 characters"),
        ("/api/v2/search?q=%22rare%20cancer".into(), 422, "quotation mark"),
        ("/api/v2/search?q=has:cats".into(), 422, "`has:cats` is not understood; has: can be media, poll or link"),
        ("/api/v2/search?q=before:yesterday".into(), 422, "write it as YYYY-MM-DD"),
        ("/api/v2/search?q=-chemo".into(), 422, "Type something to search for"),
        ("/api/v2/search?q=x&type=people".into(), 400, "type must be accounts, statuses or hashtags"),
        ("/api/v2/search?q=x&sort=best".into(), 400, "sort must be relevance or newest"),
        ("/api/v2/search?q=x&limit=many".into(), 400, "limit must be a whole number"),
        ("/api/v2/search?q=x&offset=-5".into(), 422, "offset must be between"),
        ("/api/v1/accounts/search".into(), 400, "Param is missing or the value is empty: q"),
    ];
    for (path, status, message) in cases {
        let r = s.get(&path, Some(&jo)).await;
        let error = r.error(status);
        assert!(error.contains(message), "{path}: {error}");
    }
    // Paging by offset needs a signed-in viewer, as in Mastodon.
    assert!(s.get("/api/v2/search?q=x&offset=20", None).await.error(401).contains("Sign in"));
}

async fn the_index_follows_changes(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let post = s.post(&jo, json!({"status": "Phlebotomy clinic moves to Tuesday"})).await;
    let pid = id(&post);
    assert!(statuses(&s, "phlebotomy", Some(&sam)).await.is_empty(), "not before its job has run");
    s.run_jobs().await;
    assert_eq!(statuses(&s, "phlebotomy", Some(&sam)).await, vec![pid.clone()]);

    // An edit: the new words are found, the old ones are not.
    let r = s
        .json(
            Method::PUT,
            &format!("/api/v1/statuses/{pid}"),
            Some(&jo),
            json!({"status": "Venepuncture clinic moves"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.run_jobs().await;
    assert!(statuses(&s, "phlebotomy", Some(&sam)).await.is_empty());
    assert_eq!(statuses(&s, "venepuncture", Some(&sam)).await, vec![pid.clone()]);

    // A block hides the blocker's posts from the blocked at once (no job needed).
    let sam_id = s.get("/api/v1/accounts/lookup?acct=sam", None).await.json["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{sam_id}/block"), Some(&jo), json!({})).await;
    assert!(statuses(&s, "venepuncture", Some(&sam)).await.is_empty());
    assert_eq!(statuses(&s, "venepuncture", None).await, vec![pid.clone()]);

    // Turning `indexable` off takes public posts out of strangers' searches.
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&jo), json!({"indexable": false})).await;
    s.run_jobs().await;
    assert!(statuses(&s, "venepuncture", None).await.is_empty());
    assert_eq!(statuses(&s, "venepuncture", Some(&jo)).await, vec![pid.clone()], "the author still finds it");
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&jo), json!({"indexable": true})).await;
    s.run_jobs().await;
    assert_eq!(statuses(&s, "venepuncture", None).await, vec![pid.clone()]);

    // Suspension removes the posts from the index; lifting it brings them back.
    canteen_app::admin::suspend(&s.app, "jo").await.unwrap();
    s.run_jobs().await;
    let raw: i64 = pid.parse().unwrap();
    assert!(!s.app.search.index.contains(raw).unwrap());
    assert!(statuses(&s, "venepuncture", None).await.is_empty());
    canteen_app::admin::unsuspend(&s.app, "jo").await.unwrap();
    s.run_jobs().await;
    assert!(s.app.search.index.contains(raw).unwrap());

    // Deletion removes it.
    let jo = s.token_for("jo", "read write").await;
    s.json(Method::DELETE, &format!("/api/v1/statuses/{pid}"), Some(&jo), json!({})).await;
    s.run_jobs().await;
    assert!(!s.app.search.index.contains(raw).unwrap());

    // Many posts at once: their index jobs run as one batch with one commit, and all land.
    let mut many = Vec::new();
    for i in 0..30 {
        many.push(id(&s.post(&jo, json!({"status": format!("Rheumatology bulletin {i}")})).await));
    }
    s.run_jobs().await;
    assert_eq!(s.count("jobs").await, 0, "every job completed");
    let mut found = statuses(&s, "rheumatology", None).await;
    found.sort();
    many.sort();
    assert_eq!(found, many);
    for gone in &many {
        s.json(Method::DELETE, &format!("/api/v1/statuses/{gone}"), Some(&jo), json!({})).await;
    }
    s.run_jobs().await;

    // A full rebuild gives the same index as the jobs did.
    let kept = s.post(&jo, json!({"status": "Audiology open day"})).await;
    s.run_jobs().await;
    let n = canteen_app::search::rebuild(&s.app, |_, _| {}).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(statuses(&s, "audiology", None).await, vec![id(&kept)]);
}

async fn people_and_hashtags(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, viewer) = s.signed_in("viewer").await;
    let (_, nurse) = s.signed_in("sarah_nurse").await;
    let (_, physio) = s.signed_in("physio_pat").await;
    let (_, hidden) = s.signed_in("quiet_one").await;
    let set = |token: String, body: Value| {
        let s = &s;
        async move {
            let r = s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), body).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    };
    set(
        nurse.clone(),
        json!({"display_name": "Sarah Okafor", "canteen": {"job_title": "Ward Sister", "job_title_visibility": "public"}}),
    )
    .await;
    set(
        physio.clone(),
        json!({"display_name": "Pat", "canteen": {"job_title": "Respiratory Physiotherapist", "job_title_visibility": "followers"}}),
    )
    .await;
    set(hidden.clone(), json!({"display_name": "Sarah Quiet", "discoverable": false})).await;

    let accounts = |q: &str, token: Option<String>| {
        let s = &s;
        let path = format!("/api/v1/accounts/search?q={}", urlencode(q));
        async move {
            let r = s.get(&path, token.as_deref()).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json.as_array().unwrap().iter().map(|a| a["acct"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(accounts("sarah", Some(viewer.clone())).await, vec!["sarah_nurse"], "not the undiscoverable one");
    assert_eq!(accounts("okafor", None).await, vec!["sarah_nurse"], "by display name");
    assert_eq!(accounts("ward sister", Some(viewer.clone())).await, vec!["sarah_nurse"], "by public job title");
    assert_eq!(
        accounts(&format!("@sarah_nurse@{}", s.app.config.domain()), None).await.first().map(String::as_str),
        Some("sarah_nurse")
    );
    // A followers-only job title is matched only for followers.
    assert!(accounts("physiotherapist", Some(viewer.clone())).await.is_empty());
    let pat_id = s.get("/api/v1/accounts/lookup?acct=physio_pat", None).await.json["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{pat_id}/follow"), Some(&viewer), json!({})).await;
    assert_eq!(accounts("physiotherapist", Some(viewer.clone())).await, vec!["physio_pat"]);
    // …and shown only to them.
    let r = s.get("/api/v1/accounts/search?q=physiotherapist", Some(&viewer)).await;
    assert_eq!(r.json[0]["canteen"]["job_title"], "Respiratory Physiotherapist", "{}", r.text);
    // An account that is not discoverable is found by its exact username only.
    assert_eq!(accounts("quiet_one", Some(viewer.clone())).await, vec!["quiet_one"]);
    assert!(accounts("quiet", Some(viewer.clone())).await.is_empty());
    // following=true limits to accounts the viewer follows.
    let r = s.get("/api/v2/search?type=accounts&q=p&following=true", Some(&viewer)).await;
    let found: Vec<&str> = r.json["accounts"].as_array().unwrap().iter().map(|a| a["acct"].as_str().unwrap()).collect();
    assert_eq!(found, vec!["physio_pat"]);
    // LIKE wildcards in the query are literal.
    assert!(accounts("%", Some(viewer.clone())).await.is_empty());

    // Hashtags by prefix, most used first, with seven days of history; private-only tags hidden.
    for _ in 0..2 {
        s.post(&nurse, json!({"status": "#SarcomaAwareness month"})).await;
    }
    s.post(&physio, json!({"status": "#SarcomaResearch funding news"})).await;
    s.post(&physio, json!({"status": "#SarcomaSecret staff only", "visibility": "private"})).await;
    s.run_jobs().await;
    let r = s.get("/api/v2/search?type=hashtags&q=%23sarc", Some(&viewer)).await;
    let tags: Vec<&str> = r.json["hashtags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tags, vec!["sarcomaawareness", "sarcomaresearch"]);
    let history = &r.json["hashtags"][0]["history"];
    assert_eq!(history.as_array().unwrap().len(), 7);
    assert_eq!((history[0]["uses"].as_str(), history[0]["accounts"].as_str()), (Some("2"), Some("1")));
}

backend_tests!(ranking_and_operators, bad_queries_get_clear_errors, the_index_follows_changes, people_and_hashtags);

/// On a real server: a post is searchable shortly after it is acknowledged (the job runs in
/// the background), and the index in the data dir survives a restart; `admin reindex`
/// rebuilds it with a progress bar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_server_indexes_in_the_background_and_keeps_its_index() {
    let db = support::TestDb::new(Backend::Sqlite).await;
    let run = |args: &[&str]| {
        support::canteen_cmd()
            .args(args)
            .arg("--data-dir")
            .arg(db.dir.path())
            .args(["--database-url", &db.url])
            .output()
            .unwrap()
    };
    let out = run(&["admin", "create-user", "alice", "--email", "alice@nhs.net", "--password", "a good password"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let client = reqwest::Client::new();
    let mut server = support::Spawned::start(&db, &[]).await;
    let token = support::password_token(&client, &server.base, "alice", "a good password").await;
    let posted: Value = client
        .post(format!("{}/api/v1/statuses", server.base))
        .bearer_auth(&token)
        .json(&json!({"status": "Lymphoedema clinic now on Fridays"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let search = |client: reqwest::Client, base: String| async move {
        let r: Value = client
            .get(format!("{base}/api/v2/search?type=statuses&q=lymphedema"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids(&r["statuses"])
    };
    let started = std::time::Instant::now();
    let mut found = Vec::new();
    // Bounded wait: the worker polls every 250 ms; this only proves it arrives.
    while started.elapsed() < std::time::Duration::from_secs(10) {
        found = search(client.clone(), server.base.clone()).await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(found, vec![id(&posted)], "the post reached the index");
    eprintln!("post searchable after {} ms", started.elapsed().as_millis());

    // Restart: the index in the data dir is still there.
    server.terminate();
    assert!(server.wait_exit(20).is_some_and(|s| s.success()));
    drop(server);
    assert!(db.dir.path().join("search").is_dir());
    let server = support::Spawned::start(&db, &[]).await;
    assert_eq!(search(client.clone(), server.base.clone()).await, vec![id(&posted)]);
    // While the server holds the index, reindex says so instead of corrupting it.
    let busy = run(&["admin", "reindex"]);
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("in use by another Canteen process"));
    drop(server);

    let out = run(&["admin", "reindex"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("indexed 1 posts"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("100% 1/1 posts"));
}
