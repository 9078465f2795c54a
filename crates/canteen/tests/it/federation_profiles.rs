//! A local profile's changes reach the servers that follow it: `Update` of the actor
//! document, signed by the account, to each server once; none when no server follows. And
//! what a profile is — a person, an organisation's page or a group — both ways.

use crate::federation::{AP, Peer, deliveries, follow_from, get_as, server, verified};
use crate::support;

use axum::http::Method;
use canteen_federation::keys::PublicKey;
use support::Backend;

backend_tests!(profile_changes_reach_the_servers_that_follow, organisations_and_groups);

async fn organisations_and_groups(b: Backend) {
    let s = server(b).await;
    s.user("trust").await;
    s.user("network").await;
    let set = |who: &'static str, pairs: &'static [(&'static str, &'static str)]| {
        let s = &s;
        async move {
            let token = s.token_for(who, "write").await;
            s.form(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), pairs).await
        }
    };
    let r = set("trust", &[("canteen[kind]", "hospital")]).await;
    assert!(r.error(422).contains("`hospital` is not one of: person, organization, group"), "{}", r.text);
    let r = set("trust", &[("canteen[kind]", "organization")]).await;
    assert_eq!((r.status.as_u16(), r.json["group"].as_bool()), (200, Some(false)), "{}", r.text);
    assert_eq!(get_as(&s, "/users/trust", AP).await.json["type"], "Organization");
    // Mastodon's own flag makes a group.
    let r = set("network", &[("group", "true")]).await;
    assert_eq!(r.json["group"], true, "{}", r.text);
    assert_eq!(get_as(&s, "/users/network", AP).await.json["type"], "Group");
    // The web settings page offers the same choice.
    let web = crate::web::sign_in(&s, &crate::web::email("network")).await;
    let page = crate::web::get(&s, "/settings", &web).await;
    assert!(page.text.contains("value=\"group\" aria-describedby=\"kind-group-hint\" checked"), "{}", page.text);

    // Another server's Group is a group here too.
    let peer = Peer::start(false).await;
    *peer.kind.lock().unwrap() = "Group".into();
    follow_from(&s, &peer, &s.user("alice").await.uri, 1).await;
    let id = crate::federation::remote_id(&s, &peer).await;
    assert_eq!(s.get(&format!("/api/v1/accounts/{}", id.0), None).await.json["group"], true);
}

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
