//! Authorised fetch: with it on, collections and posts are served to servers only on a signed
//! GET from a server allowed to federate; actor documents and the instance actor stay open;
//! and every GET Canteen makes is signed by its instance actor.

use crate::federation::{AP, Peer};
use crate::support;

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use canteen_federation::keys::PublicKey;
use canteen_federation::signatures::{self, RequestParts, VerifyOptions};
use serde_json::json;
use support::{Backend, TestServer};

backend_tests!(authorised_fetch_wants_signed_gets_and_ours_are_signed);

/// A GET of `path` with the ActivityPub `Accept`, signed by `peer` (or not).
fn get(path: &str, peer: Option<&Peer>) -> Request<Body> {
    let mut headers = HeaderMap::new();
    headers.insert("accept", AP.parse().unwrap());
    let mut parts = RequestParts::new(Method::GET, format!("{}{path}", support::PUBLIC_URL).parse().unwrap(), headers);
    if let Some(p) = peer {
        signatures::sign_cavage(&mut parts, b"", &p.key, &p.key_id(), SystemTime::now()).unwrap();
    }
    let mut req = Request::get(path).body(Body::empty()).unwrap();
    *req.headers_mut() = parts.headers;
    req
}

async fn authorised_fetch_wants_signed_gets_and_ours_are_signed(backend: Backend) {
    let s = TestServer::with(
        backend,
        |c| {
            c.federation_allow_private = vec!["127.0.0.1".into()];
            c.authorized_fetch = true;
        },
        support::relaxed_limits(),
    )
    .await;
    s.user("alice").await;
    let token = s.token_for("alice", "read write").await;
    let post = s.post(&token, json!({"status": "Open to all", "visibility": "public"})).await;
    let note_path = post["uri"].as_str().unwrap().strip_prefix(support::PUBLIC_URL).unwrap().to_string();
    let peer = Peer::start(false).await;

    // Unsigned: refused for collections and posts, with the reason; actors stay open.
    for path in ["/users/alice/outbox", "/users/alice/followers", "/users/alice/collections/featured", &note_path] {
        let r = s.send(get(path, None)).await;
        assert_eq!(r.status, 401, "{path}: {}", r.text);
        assert!(r.json["error"].as_str().unwrap().contains("signed"), "{}", r.text);
    }
    assert_eq!(s.send(get("/users/alice", None)).await.status, 200);
    // A browser still gets the post's page.
    let page = s.send(Request::get(note_path.as_str()).body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, 200);

    // Signed by a server that may federate: served.
    for path in ["/users/alice/outbox", &note_path] {
        let r = s.send(get(path, Some(&peer))).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }

    // Checking that signature made Canteen fetch the peer's key — signed by the instance actor,
    // whose document anyone may read.
    let instance = s.send(get("/actor", None)).await;
    assert_eq!(instance.status, 200, "{}", instance.text);
    assert_eq!(instance.json["type"], "Application");
    let instance_key = PublicKey::from_pem(instance.json["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let key_id = instance.json["publicKey"]["id"].as_str().unwrap().to_string();
    let fetches = peer.actor_gets.lock().unwrap().clone();
    let fetch = fetches.first().expect("Canteen fetched the peer's actor");
    let target = format!("{}/users/peer", peer.base);
    let req = RequestParts::new(Method::GET, target.parse().unwrap(), fetch.clone());
    let verified =
        signatures::verify(&req, b"", &VerifyOptions::default(), |id| (id == key_id).then(|| instance_key.clone()))
            .expect("the fetch is signed by the instance actor");
    assert_eq!(verified.key_id, key_id);

    // A server blocked here is refused even when it signs.
    let root = crate::federation_inbox::admin(&s, "root").await;
    let domain = peer.base.trim_start_matches("http://").to_string();
    let r = s
        .form(Method::POST, "/api/v1/admin/domain_blocks", Some(&root), &[("domain", &domain), ("severity", "suspend")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = s.send(get("/users/alice/outbox", Some(&peer))).await;
    assert_eq!(r.status, 403, "{}", r.text);
}
