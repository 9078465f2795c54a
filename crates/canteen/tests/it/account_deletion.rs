//! Deleting one's own profile from the web app: the password asked again; everything of the
//! profile gone from this server in one go; the servers holding copies sent a signed
//! `Delete` of the actor; its ids answering 410 Tombstone; the login closed with its last
//! profile; and the last administrator kept from deleting themself.

use crate::federation::{AP, Peer, follow_from, get_as, server, verified};
use crate::support;
use crate::web::{PASSWORD, csrf_field, email, get, post, sign_in};

use axum::http::{Method, StatusCode};
use canteen_federation::keys::PublicKey;
use serde_json::json;
use support::Backend;

backend_tests!(deleting_ones_profile_erases_it_everywhere, the_last_administrator_stays);

async fn deleting_ones_profile_erases_it_everywhere(b: Backend) {
    let s = server(b).await;
    let (alice, alice_api) = s.signed_in("alice").await;
    let (bob, bob_api) = s.signed_in("bob").await;
    let peer = Peer::start(false).await;
    follow_from(&s, &peer, &alice.uri, 1).await;
    for (me, them) in [(&alice_api, &bob), (&bob_api, &alice)] {
        let r = s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", them.id.0), Some(me), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let post_json = s.post(&alice_api, json!({"status": "Ward 7 bake sale on Friday", "visibility": "public"})).await;
    s.post(&bob_api, json!({"status": "@alice count me in", "visibility": "public"})).await;
    s.json(Method::POST, "/api/v1/lists", Some(&alice_api), json!({"title": "Team"})).await;
    s.run_jobs().await;
    peer.take();
    // Her key, as servers knew it, to check the Delete is hers.
    let doc = get_as(&s, "/users/alice", AP).await;
    let key = PublicKey::from_pem(doc.json["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let bob_web = sign_in(&s, &email("bob")).await;
    assert!(get(&s, "/", &bob_web).await.text.contains("Ward 7 bake sale"));

    let alice_web = sign_in(&s, &email("alice")).await;
    let page = get(&s, "/settings/delete", &alice_web).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("It is your only profile, so your login is closed too"), "{}", page.text);
    let token = csrf_field(&page.text);
    let r = post(&s, "/settings/delete", &alice_web, &[("password", "not my password"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Enter your password correctly"), "{}", r.text);
    assert_eq!(
        post(&s, "/settings/delete", &alice_web, &[("password", PASSWORD)]).await.status,
        403,
        "needs the token"
    );
    assert_eq!(s.count(&format!("statuses WHERE account_id = {}", alice.id.0)).await, 1, "nothing deleted yet");

    let r = post(&s, "/settings/delete", &alice_web, &[("password", PASSWORD), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("Your profile has been deleted") && r.text.contains("your login is closed too"));
    assert!(r.headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"), "this browser is signed out");

    // Gone from this server: posts, follows both ways, lists, sessions, tokens.
    for table in ["statuses", "follows", "lists", "web_sessions", "home_feed"] {
        let n = s.count(&format!("{table} WHERE account_id = {}", alice.id.0)).await;
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(s.count(&format!("follows WHERE target_account_id = {}", alice.id.0)).await, 0);
    assert!(!get(&s, "/", &bob_web).await.text.contains("Ward 7 bake sale"), "off bob's home timeline");
    assert_eq!(s.get(&format!("/api/v1/accounts/{}", alice.id.0), None).await.status, 404);
    assert_eq!(get(&s, "/@alice", "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&alice_api)).await.status, 401, "tokens revoked");
    // Its ids answer 410 with a Tombstone.
    let gone = get_as(&s, "/users/alice", AP).await;
    assert_eq!(gone.status, 410, "{}", gone.text);
    assert_eq!((gone.json["type"].as_str(), gone.json["formerType"].as_str()), (Some("Tombstone"), Some("Person")));
    let post_path = post_json["uri"].as_str().unwrap().strip_prefix(support::PUBLIC_URL).unwrap().to_string();
    assert_eq!(get_as(&s, &post_path, AP).await.status, 410);

    // The server that followed her is sent a Delete of the actor, signed by her.
    s.run_jobs().await;
    let received = peer.take();
    assert_eq!(received.len(), 1, "one Delete to the follower's server");
    let (_, delete) = verified(&peer, &received[0], &alice.uri, &key);
    assert_eq!((delete["type"].as_str(), delete["object"].as_str()), (Some("Delete"), Some(alice.uri.as_str())));

    // The login is closed: the password no longer works, and the address may sign up again.
    let (cookie, form) = crate::web::sign_in_form(&s).await;
    let r = post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", PASSWORD), ("csrf_token", &form)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.count("users WHERE email = 'alice@example.nhs.uk'").await, 0);
    // The username stays taken.
    let r = canteen_app::admin::create_user(
        &s.app,
        "alice",
        "new@example.nhs.uk",
        PASSWORD,
        canteen_domain::account::Role::User,
    )
    .await;
    assert!(r.is_err(), "the username of a deleted profile is not reused");
}

async fn the_last_administrator_stays(b: Backend) {
    let s = support::TestServer::new(b).await;
    s.user("root").await;
    canteen_app::admin::set_role(&s.app, "root", canteen_domain::account::Role::Admin).await.unwrap();
    let root = sign_in(&s, &email("root")).await;
    let token = csrf_field(&get(&s, "/settings/delete", &root).await.text);
    let r = post(&s, "/settings/delete", &root, &[("password", PASSWORD), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("You are the only administrator"), "{}", r.text);
    assert_eq!(s.count("accounts WHERE suspended_at IS NULL").await, 1);
}
