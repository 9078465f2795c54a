//! Polls: created with a post, voted on within the post's audience, closed by a job.

use crate::support;

use axum::http::Method;
use serde_json::json;
use support::{Backend, TestServer};

async fn polls_vote_and_close(b: Backend) {
    let s = TestServer::new(b).await;
    let (jo_acct, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let (_, kim) = s.signed_in("kim").await;
    let post = s
        .post(&jo, json!({"status": "Quick straw poll: the new guidelines?", "poll": {"options": ["Clearer", "Worse", "Same"], "expires_in": 3600}}))
        .await;
    let poll = &post["poll"];
    assert_eq!(poll["options"].as_array().unwrap().len(), 3);
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["voted"], true, "the author counts as having voted (Mastodon)");
    let pid = poll["id"].as_str().unwrap().to_string();

    // Form encoding with brackets, as Mastodon.py sends it.
    let form = s
        .form(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            &[
                ("status", "Lunch?"),
                ("poll[options][]", "Yes"),
                ("poll[options][]", "No"),
                ("poll[expires_in]", "600"),
                ("poll[multiple]", "true"),
                ("poll[hide_totals]", "true"),
            ],
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert_eq!(form.json["poll"]["multiple"], true);
    let hidden = form.json["poll"]["id"].as_str().unwrap().to_string();

    let before = s.count("polls").await;
    for (body, field) in [
        (json!({"status": "x", "poll": {"options": ["only one"], "expires_in": 3600}}), "poll[options]"),
        (json!({"status": "x", "poll": {"options": ["a", "b", "c", "d", "e"], "expires_in": 3600}}), "poll[options]"),
        (json!({"status": "x", "poll": {"options": ["a", "a"], "expires_in": 3600}}), "poll[options]"),
        (json!({"status": "x", "poll": {"options": ["a", "x".repeat(51)], "expires_in": 3600}}), "poll[options]"),
        (json!({"status": "x", "poll": {"options": ["a", "b"], "expires_in": 10}}), "poll[expires_in]"),
        (json!({"status": "x", "poll": {"options": ["a", "b"], "expires_in": "soon"}}), "poll[expires_in]"),
    ] {
        let r = s.json(Method::POST, "/api/v1/statuses", Some(&jo), body).await;
        r.error(422);
        assert!(r.json["details"][field].is_array(), "{field}: {}", r.text);
    }
    assert_eq!(s.count("polls").await, before);

    let vote = |tok: String, poll: String, choices: serde_json::Value| {
        let s = &s;
        async move {
            s.json(Method::POST, &format!("/api/v1/polls/{poll}/votes"), Some(&tok), json!({"choices": choices})).await
        }
    };
    let own = vote(jo.clone(), pid.clone(), json!([0])).await.error(422);
    assert!(own.contains("own poll"), "{own}");
    let voted = vote(sam.clone(), pid.clone(), json!([1])).await;
    assert_eq!(voted.status, 200, "{}", voted.text);
    assert_eq!(voted.json["own_votes"], json!([1]));
    assert_eq!(voted.json["options"][1]["votes_count"], 1);
    assert!(vote(sam.clone(), pid.clone(), json!([0])).await.error(422).contains("already voted"));
    assert!(vote(kim.clone(), pid.clone(), json!([0, 1])).await.error(422).contains("one choice"));
    assert_eq!(vote(kim.clone(), pid.clone(), json!([7])).await.json["details"]["choices"][0]["error"], "ERR_INVALID");
    vote(kim.clone(), pid.clone(), json!([])).await.error(400);
    assert_eq!(vote(kim.clone(), pid.clone(), json!([0])).await.json["votes_count"], 2);

    // Hidden totals stay hidden from voters until the end, but not from the author.
    let v = vote(sam.clone(), hidden.clone(), json!(["0", "1"])).await;
    assert_eq!(v.status, 200, "{}", v.text);
    assert!(v.json["options"][0]["votes_count"].is_null());
    assert_eq!(s.get(&format!("/api/v1/polls/{hidden}"), Some(&jo)).await.json["options"][0]["votes_count"], 1);

    // A followers-only poll is invisible, and unvotable, to strangers.
    let private = s.post(&jo, json!({"status": "staff only", "visibility": "private", "poll": {"options": ["a", "b"], "expires_in": 600}})).await;
    let private_poll = private["poll"]["id"].as_str().unwrap().to_string();
    s.get(&format!("/api/v1/polls/{private_poll}"), Some(&sam)).await.error(404);
    vote(sam.clone(), private_poll, json!([0])).await.error(404);

    // Closing: the job tells voters and the author.
    s.exec_sql(&format!("UPDATE polls SET expires_at = 1 WHERE id = {pid}")).await;
    s.exec_sql("UPDATE jobs SET run_at = 0 WHERE kind = 'poll.expire'").await;
    s.run_jobs().await;
    for tok in [&sam, &kim, &jo] {
        let n = s.get("/api/v1/notifications?types[]=poll", Some(tok)).await.json;
        assert_eq!(n.as_array().unwrap().len(), 1, "{n}");
        assert_eq!(n[0]["status"]["poll"]["expired"], true);
    }
    let _ = jo_acct;
    assert!(vote(kim.clone(), pid.clone(), json!([1])).await.error(422).contains("ended"));
}

async fn poll_options_are_configurable(b: Backend) {
    let s = TestServer::with(b, |c| c.poll_max_options = 6, support::relaxed_limits()).await;
    let (_, jo) = s.signed_in("jo").await;
    assert_eq!(s.get("/api/v2/instance", None).await.json["configuration"]["polls"]["max_options"], 6);
    let six = json!({"status": "x", "poll": {"options": ["a", "b", "c", "d", "e", "f"], "expires_in": 600}});
    assert_eq!(s.json(Method::POST, "/api/v1/statuses", Some(&jo), six).await.status, 200);
    let seven = json!({"status": "x", "poll": {"options": ["a", "b", "c", "d", "e", "f", "g"], "expires_in": 600}});
    assert!(s.json(Method::POST, "/api/v1/statuses", Some(&jo), seven).await.error(422).contains("2 to 6"));
}

backend_tests!(polls_vote_and_close, poll_options_are_configurable);
