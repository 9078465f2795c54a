//! Reports to the moderators: through the API (validated; a post the reporter may not see is
//! not found), on the admin page (open ones, marked dealt with), and as ActivityPub `Flag`s
//! both ways (another server's report about someone here; ours forwarded from the instance
//! actor, which does not name the reporter).

use crate::federation::{AP, Peer, follow_from, get_as, remote_id, server, signed_post, verified};
use crate::support;

use std::time::SystemTime;

use axum::http::Method;
use canteen_federation::keys::PublicKey;
use canteen_federation::signatures::Dialect;
use serde_json::json;
use support::{Backend, TestServer};

backend_tests!(reporting_through_the_api_and_the_admin_page, flags_go_both_ways);

async fn reporting_through_the_api_and_the_admin_page(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, alice) = s.signed_in("alice").await;
    let (bob_account, bob) = s.signed_in("bob").await;
    let (_, carol) = s.signed_in("carol").await;
    let bob_id = bob_account.id.0.to_string();
    let rule =
        canteen_app::admin::add_rule(&s.app, "Never post anything that could identify a patient", "").await.unwrap();
    let public = s.post(&bob, json!({"status": "Buy cheap scrubs here", "visibility": "public"})).await;
    let private = s.post(&bob, json!({"status": "Followers only", "visibility": "private"})).await;
    let carols = s.post(&carol, json!({"status": "Hello", "visibility": "public"})).await;
    let report = |body: serde_json::Value| {
        let (s, alice) = (&s, alice.clone());
        async move { s.json(Method::POST, "/api/v1/reports", Some(&alice), body).await }
    };

    let r = report(json!({"account_id": bob_id, "status_ids": [public["id"]], "comment": "Selling things", "category": "violation", "rule_ids": [rule.to_string()]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["category"], "violation");
    assert_eq!(r.json["comment"], "Selling things");
    assert_eq!(r.json["status_ids"], json!([public["id"]]));
    assert_eq!(r.json["rule_ids"], json!([rule.to_string()]));
    assert_eq!(r.json["target_account"]["id"], bob_id.as_str());
    assert_eq!(r.json["action_taken"], false);
    assert_eq!(r.json["forwarded"], false, "bob is local: nothing to forward");

    // Refusals: each leaves nothing behind.
    let hidden = report(json!({"account_id": bob_id, "status_ids": [private["id"]]})).await;
    assert_eq!(hidden.error(404), "Record not found", "a post alice may not see is not revealed");
    let r = report(json!({"account_id": bob_id, "status_ids": [carols["id"]]})).await;
    assert_eq!(r.error(422), "Validation failed: Posts must be by the reported account");
    let r = report(json!({"account_id": bob_id, "comment": "x".repeat(1001), "category": "rude"})).await;
    let message = r.error(422);
    assert!(message.contains("Comment is too long") && message.contains("Category must be one of"), "{message}");
    let r = report(json!({"account_id": bob_id, "category": "spam", "rule_ids": [rule.to_string()]})).await;
    assert_eq!(r.error(422), "Validation failed: Rules can only be given with the category violation");
    assert_eq!(report(json!({"comment": "who?"})).await.error(422), "Validation failed: Account can't be blank");
    assert_eq!(report(json!({"account_id": "999999"})).await.status, 404);
    let alice_id = s.get("/api/v1/accounts/lookup?acct=alice", None).await.json["id"].as_str().unwrap().to_string();
    assert_eq!(report(json!({"account_id": alice_id})).await.error(422), "You cannot report yourself");
    let none = s.json(Method::POST, "/api/v1/reports", None, json!({"account_id": bob_id})).await;
    assert_eq!(none.status, 401);
    let read_only = s.token_for("alice", "read").await;
    let r = s.json(Method::POST, "/api/v1/reports", Some(&read_only), json!({"account_id": bob_id})).await;
    assert_eq!(r.status, 403);
    assert_eq!(s.count("reports").await, 1);

    // The admin page lists it; others may not see it.
    s.user("root").await;
    canteen_app::admin::set_role(&s.app, "root", canteen_domain::account::Role::Admin).await.unwrap();
    let admin = crate::web::sign_in(&s, &crate::web::email("root")).await;
    let alice_web = crate::web::sign_in(&s, &crate::web::email("alice")).await;
    assert_eq!(crate::web::get(&s, "/admin/reports", &alice_web).await.status, 403);
    let page = crate::web::get(&s, "/admin/reports", &admin).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Selling things") && page.text.contains(">@bob</span>"), "{}", page.text);
    assert!(page.text.contains(&format!("href=\"/@bob/{}\"", public["id"].as_str().unwrap())), "the post is linked");
    let id = r#"action="/admin/reports/"#;
    let report_id = page.text.split(id).nth(1).unwrap().split('/').next().unwrap().to_string();
    let token = crate::web::csrf_field(&page.text);
    let path = format!("/admin/reports/{report_id}/resolve");
    assert_eq!(crate::web::post(&s, &path, &admin, &[]).await.status, 403, "the form's token is needed");
    assert_eq!(crate::web::post(&s, &path, &admin, &[("csrf_token", &token)]).await.status, 303);
    assert!(
        crate::web::get(&s, "/admin/reports?resolved=1", &admin).await.text.contains("There are no reports waiting.")
    );
    assert_eq!(crate::web::post(&s, &path, &admin, &[("csrf_token", &token)]).await.status, 404, "already dealt with");
}

async fn flags_go_both_ways(b: Backend) {
    let s = server(b).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    follow_from(&s, &peer, &alice.uri, 1).await;
    s.run_jobs().await;
    peer.take();
    let post = s.post(&alice_token, json!({"status": "Our ward's open day", "visibility": "public"})).await;
    s.run_jobs().await;
    peer.take();

    // Another server reports alice and her post.
    let flag = |n: u32, object: serde_json::Value| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/flags/{n}", peer.actor()), "type": "Flag", "actor": peer.actor(),
            "object": object, "content": "This looks like a patient's details",
        })
    };
    let send = |body: serde_json::Value| {
        let req = signed_post(
            "/inbox",
            &body.to_string(),
            Some((&peer.key, &peer.key_id())),
            Dialect::Cavage,
            SystemTime::now(),
        );
        s.send(req)
    };
    let r = send(flag(1, json!([alice.uri, post["uri"]]))).await;
    assert_eq!(r.status, 202, "{}", r.text);
    s.run_jobs().await;
    assert_eq!(s.count("reports").await, 1);
    assert_eq!(s.count("reports WHERE forwarded AND comment = 'This looks like a patient''s details'").await, 1);
    // Delivered twice, or naming nobody here: no second report.
    send(flag(1, json!([alice.uri]))).await;
    send(flag(2, json!(["https://elsewhere.example/users/x"]))).await;
    s.run_jobs().await;
    assert_eq!(s.count("reports").await, 1);
    // An unsigned Flag is refused and stores nothing.
    let unsigned =
        signed_post("/inbox", &flag(3, json!([alice.uri])).to_string(), None, Dialect::Cavage, SystemTime::now());
    assert_eq!(s.send(unsigned).await.status, 401);
    s.run_jobs().await;
    assert_eq!(s.count("reports").await, 1);

    // Alice reports the peer and asks for it to be forwarded: a Flag from our instance actor.
    let peer_id = remote_id(&s, &peer).await.0.to_string();
    let r = s
        .json(
            Method::POST,
            "/api/v1/reports",
            Some(&alice_token),
            json!({"account_id": peer_id, "comment": "Abusive replies", "forward": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["forwarded"], true);
    s.run_jobs().await;
    let received = peer.take();
    assert_eq!(received.len(), 1, "one Flag to the peer's server");
    let instance = format!("{}/actor", support::PUBLIC_URL);
    let doc = get_as(&s, "/actor", AP).await;
    let key = PublicKey::from_pem(doc.json["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let (_, activity) = verified(&peer, &received[0], &instance, &key);
    assert_eq!(activity["type"], "Flag");
    assert_eq!(activity["object"], json!([peer.actor()]));
    assert_eq!(activity["content"], "Abusive replies");
    assert!(!activity.to_string().contains("alice"), "the reporter is not named: {activity}");
    // Without `forward`, nothing leaves the server.
    let r = s
        .json(Method::POST, "/api/v1/reports", Some(&alice_token), json!({"account_id": peer_id, "comment": "Again"}))
        .await;
    assert_eq!(r.json["forwarded"], false);
    s.run_jobs().await;
    assert!(peer.take().is_empty());
}
