//! A local profile's changes reach the servers that follow it: `Update` of the actor
//! document, signed by the account, to each server once; none when no server follows.

use crate::federation::{AP, Peer, deliveries, follow_from, get_as, server, verified};
use crate::support;

use axum::http::Method;
use canteen_federation::keys::PublicKey;
use support::Backend;

backend_tests!(profile_changes_reach_the_servers_that_follow);

async fn profile_changes_reach_the_servers_that_follow(b: Backend) {
    let s = server(b).await;
    let alice = s.user("alice").await;
    s.user("bob").await;
    let peer = Peer::start(false).await;
    follow_from(&s, &peer, &alice.uri, 1).await;
    s.run_jobs().await;
    peer.take();

    // Bob has no follower elsewhere: his change goes nowhere.
    let bob_token = s.token_for("bob", "write").await;
    let r = s
        .form(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&bob_token), &[("display_name", "Bob")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(deliveries(&s).await, 0);

    let alice_token = s.token_for("alice", "write").await;
    let r = s
        .form(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&alice_token),
            &[("display_name", "Alice (Ward 7)"), ("note", "Staff nurse"), ("locked", "true")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(deliveries(&s).await, 1, "one Update to the one server");
    s.run_jobs().await;
    let received = peer.take();
    assert_eq!(received.len(), 1);
    let doc = get_as(&s, "/users/alice", AP).await;
    let key = PublicKey::from_pem(doc.json["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let (_, update) = verified(&peer, &received[0], &alice.uri, &key);
    assert_eq!(update["type"], "Update");
    let object = &update["object"];
    assert_eq!((object["id"].as_str(), object["type"].as_str()), (Some(alice.uri.as_str()), Some("Person")));
    assert_eq!(object["name"], "Alice (Ward 7)");
    assert_eq!(object["manuallyApprovesFollowers"], true);
    assert!(object.get("@context").is_none(), "embedded without its own context");
    let mut served = doc.json.clone();
    served.as_object_mut().unwrap().remove("@context");
    assert_eq!(object, &served, "the same document the id serves");
}
