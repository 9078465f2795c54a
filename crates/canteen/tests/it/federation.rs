//! Federation, end to end through the real router: WebFinger and host-meta, actor documents,
//! collections (hidden and visible), the Note visibility matrix, inbox signature checks, and
//! a Follow from a remote peer answered with a signed `Accept` through the job table —
//! first from a small peer written here (a loopback axum server), then from Fedify 2.3.6
//! (`crates/federation/tests/peer/follow_peer.mjs`, Node 22) — and local posts delivered as
//! `Create`/`Update`/`Delete` to the peers, and only the peers, that have a recipient.

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use canteen_federation::keys::{PrivateKey, PublicKey};
use canteen_federation::signatures::{self, Dialect, RequestParts, VerifyOptions};
use canteen_federation::vocab::{ActorType, Object};
use serde_json::{Value, json};
use support::{Backend, TestServer};

pub(crate) const AP: &str = "application/activity+json";
const LD: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

backend_tests!(
    webfinger_and_host_meta,
    actor_documents_by_content_negotiation,
    collections_honour_hide_collections,
    notes_are_served_only_for_public_and_unlisted_posts,
    inbox_refuses_unsigned_bad_and_stale_requests,
    a_remote_follow_is_accepted_with_a_signed_delivery,
    posts_reach_only_servers_with_a_recipient,
    settling_a_remote_follow_request_answers_it,
    a_fedify_peer_follows_and_verifies_the_accept,
);

pub(crate) async fn get_as(s: &TestServer, path: &str, accept: &str) -> support::Resp {
    s.send(Request::get(path).header("accept", accept).body(Body::empty()).unwrap()).await
}

pub(crate) async fn server(backend: Backend) -> TestServer {
    TestServer::with(backend, |c| c.federation_allow_private = vec!["127.0.0.1".into()], support::relaxed_limits())
        .await
}

pub(crate) async fn set_flags(s: &TestServer, username: &str, locked: bool, hide_collections: bool) {
    s.exec_sql(&format!(
        "UPDATE accounts SET locked = {locked}, hide_collections = {hide_collections} WHERE username = '{username}'"
    ))
    .await;
}

async fn webfinger_and_host_meta(backend: Backend) {
    let s = server(backend).await;
    s.user("alice").await;
    for resource in ["acct:alice@canteen.test", "acct:ALICE@Canteen.Test", "https://canteen.test/users/alice"] {
        let r = s.get(&format!("/.well-known/webfinger?resource={}", urlencode(resource)), None).await;
        assert_eq!(r.status, 200, "{resource}: {}", r.text);
        assert_eq!(r.headers["content-type"], "application/jrd+json");
        let jrd: Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(jrd["subject"], "acct:alice@canteen.test");
        let me = jrd["links"].as_array().unwrap().iter().find(|l| l["rel"] == "self").unwrap();
        assert_eq!(me["type"], AP);
        assert_eq!(me["href"], "https://canteen.test/users/alice");
    }
    for (resource, status) in [
        ("acct:nobody@canteen.test", 404),
        ("acct:alice@elsewhere.example", 404),
        ("https://elsewhere.example/users/alice", 404),
        ("mailto:alice@canteen.test", 400),
        ("acct:al ice@canteen.test", 400),
    ] {
        let r = s.get(&format!("/.well-known/webfinger?resource={}", urlencode(resource)), None).await;
        assert!(!r.error(status).is_empty(), "{resource}");
    }
    let r = s.get("/.well-known/webfinger", None).await;
    assert_eq!(r.error(400), "Missing resource parameter");

    let r = s.get("/.well-known/host-meta", None).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/xrd+xml"));
    assert!(r.text.contains("template=\"https://canteen.test/.well-known/webfinger?resource={uri}\""), "{}", r.text);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn actor_documents_by_content_negotiation(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    set_flags(&s, "alice", true, false).await;

    let r = get_as(&s, "/users/alice", AP).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/activity+json; charset=utf-8");
    assert_eq!(r.headers["vary"], "Accept");
    let doc: Value = serde_json::from_str(&r.text).unwrap();
    let Object::Actor(actor) = Object::from_value(doc.clone()).unwrap() else { panic!("not an actor: {doc}") };
    let uri = "https://canteen.test/users/alice";
    assert_eq!(actor.id, uri);
    assert_eq!(alice.uri, uri);
    assert_eq!(actor.kind, ActorType::Person);
    assert_eq!(actor.preferred_username.as_deref(), Some("alice"));
    assert_eq!(actor.inbox, format!("{uri}/inbox"));
    assert_eq!(actor.outbox.as_deref(), Some(format!("{uri}/outbox").as_str()));
    assert_eq!(actor.followers.as_deref(), Some(format!("{uri}/followers").as_str()));
    assert_eq!(actor.following.as_deref(), Some(format!("{uri}/following").as_str()));
    assert_eq!(actor.featured.as_deref(), Some(format!("{uri}/collections/featured").as_str()));
    assert_eq!(actor.preferred_inbox(), "https://canteen.test/inbox");
    assert!(actor.manually_approves_followers, "locked accounts approve followers");
    assert!(actor.discoverable.is_some() && actor.indexable.is_some());
    let key = actor.public_key.clone().expect("publicKey");
    assert_eq!(key.id, format!("{uri}#main-key"));
    assert_eq!(key.owner, uri);
    assert!(PublicKey::from_pem(&key.public_key_pem).unwrap().bits() >= 2048);
    assert!(!r.text.contains("PRIVATE KEY"), "the private key never leaves the server");

    // The key is made once and kept; the other ActivityPub media type gets the same document.
    let again = get_as(&s, "/users/alice", LD).await;
    assert_eq!(again.status, 200);
    assert_eq!(serde_json::from_str::<Value>(&again.text).unwrap()["publicKey"], doc["publicKey"]);
    assert_eq!(s.count("account_keys").await, 1);

    // Browsers get a page; unknown accounts 404; suspended ones 410.
    let page = get_as(&s, "/users/alice", "text/html,application/xhtml+xml").await;
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text.contains("@alice@canteen.test"));
    get_as(&s, "/users/nobody", AP).await.error(404);
    canteen_store::accounts::set_suspended(s.app.store.writer(), alice.id, Some(1)).await.unwrap();
    assert_eq!(get_as(&s, "/users/alice", AP).await.error(410), "This account has been suspended");
    get_as(&s, "/users/alice/outbox", AP).await.error(404);
    s.get("/.well-known/webfinger?resource=acct:alice@canteen.test", None).await.error(404);
}

async fn collections_honour_hide_collections(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    set_flags(&s, "alice", false, false).await;
    let mut followers = Vec::new();
    for name in ["bob", "carol"] {
        let (account, token) = s.signed_in(name).await;
        let r = s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", alice.id), Some(&token), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        followers.push(account.uri);
    }

    let c = get_as(&s, "/users/alice/followers", AP).await.json_ld();
    assert_eq!(c["type"], "OrderedCollection");
    assert_eq!(c["totalItems"], 2);
    assert_eq!(c["first"], "https://canteen.test/users/alice/followers?page=true");
    let page = get_as(&s, "/users/alice/followers?page=true", AP).await.json_ld();
    assert_eq!(page["type"], "OrderedCollectionPage");
    assert_eq!(page["partOf"], "https://canteen.test/users/alice/followers");
    let mut items: Vec<String> =
        page["orderedItems"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    items.sort();
    assert_eq!(items, followers);
    let bob_following = get_as(&s, "/users/bob/following?page=true", AP).await.json_ld();
    assert_eq!(bob_following["orderedItems"], json!([alice.uri]));

    // Hidden: the size only — no first page, no items, even when a page is asked for.
    set_flags(&s, "alice", false, true).await;
    for path in ["/users/alice/followers", "/users/alice/followers?page=true", "/users/alice/following?page=true"] {
        let c = get_as(&s, path, AP).await.json_ld();
        assert_eq!(c["type"], "OrderedCollection", "{path}");
        assert!(c.get("first").is_none() && c.get("orderedItems").is_none(), "{path}: {c}");
    }
    assert_eq!(get_as(&s, "/users/alice/followers", AP).await.json_ld()["totalItems"], 2);
}

async fn notes_are_served_only_for_public_and_unlisted_posts(backend: Backend) {
    let s = server(backend).await;
    let (_, token) = s.signed_in("alice").await;
    let list = s.json(Method::POST, "/api/v1/lists", Some(&token), json!({"title": "Close"})).await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut paths = Vec::new();
    for audience in ["public", "unlisted", "private", "direct", "mutuals", "circle"] {
        let canteen = if audience == "circle" { format!("circle:{list}") } else { audience.to_string() };
        let p =
            s.post(&token, json!({"status": format!("A {audience} post #ward"), "canteen_visibility": canteen})).await;
        let uri = p["uri"].as_str().unwrap().to_string();
        let path = uri.strip_prefix(support::PUBLIC_URL).unwrap().to_string();
        paths.push((audience, path, uri));
    }
    let missing = get_as(&s, "/users/alice/statuses/1", AP).await;
    missing.error(404);
    let public_followers = "https://canteen.test/users/alice/followers";
    let as_public = "https://www.w3.org/ns/activitystreams#Public";
    for (audience, path, uri) in &paths {
        let r = get_as(&s, path, AP).await;
        let page = get_as(&s, path, "text/html").await;
        match *audience {
            "public" | "unlisted" => {
                let note = r.json_ld();
                assert_eq!(note["id"], uri.as_str());
                assert_eq!(note["type"], "Note");
                assert_eq!(note["attributedTo"], "https://canteen.test/users/alice");
                assert!(note["content"].as_str().unwrap().contains(&format!("A {audience} post")));
                assert_eq!(note["tag"][0]["name"], "#ward");
                let (to, cc) = if *audience == "public" {
                    (json!([as_public]), json!([public_followers]))
                } else {
                    (json!([public_followers]), json!([as_public]))
                };
                assert_eq!((&note["to"], &note["cc"]), (&to, &cc), "{audience}");
                assert!(matches!(Object::from_value(note.clone()).unwrap(), Object::Post(_)));
                assert_eq!(page.status, 200, "{audience}");
            }
            _ => {
                // Exactly the answer a post that does not exist gets: nothing about the audience.
                assert_eq!((r.status, &r.text), (missing.status, &missing.text), "{audience}");
                assert_eq!((page.status, &page.text), (missing.status, &missing.text), "{audience} page");
            }
        }
    }

    // The outbox lists public posts only.
    let outbox = get_as(&s, "/users/alice/outbox", AP).await.json_ld();
    assert_eq!(outbox["totalItems"], 1);
    let page = get_as(&s, "/users/alice/outbox?page=true", AP).await.json_ld();
    let items = page["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "Create");
    assert_eq!(items[0]["object"]["id"], paths[0].2.as_str());
    // Another account's path does not reach alice's posts.
    s.user("bob").await;
    get_as(&s, &paths[0].1.replace("/alice/", "/bob/"), AP).await.error(404);
}

trait JsonLd {
    fn json_ld(&self) -> Value;
}

impl JsonLd for support::Resp {
    fn json_ld(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text);
        assert_eq!(self.headers["content-type"], "application/activity+json; charset=utf-8");
        serde_json::from_str(&self.text).unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// A remote peer of our own: an actor document and an inbox on a loopback port.

#[derive(Clone)]
pub(crate) struct Peer {
    pub(crate) base: String,
    pub(crate) key: Arc<PrivateKey>,
    received: Arc<Mutex<Vec<(HeaderMap, Uri, Bytes)>>>,
    /// The headers of each GET of the actor document (to check Canteen signs its fetches).
    pub(crate) actor_gets: Arc<Mutex<Vec<HeaderMap>>>,
    /// Refuse RFC 9421 signatures with 401, as a server that speaks only draft-cavage would.
    cavage_only: bool,
    /// The actor's `alsoKnownAs` (the accounts it says it also is, for a `Move` to it).
    pub(crate) also_known_as: Arc<Mutex<Vec<String>>>,
    /// Posts it serves at their ids (`{actor}/notes/{n}`), by id, and how often each was fetched.
    pub(crate) notes: Arc<Mutex<std::collections::HashMap<String, Value>>>,
    pub(crate) note_gets: Arc<Mutex<Vec<String>>>,
    /// The actor's type (`Person` unless a test changes it).
    pub(crate) kind: Arc<Mutex<String>>,
}

impl Peer {
    pub(crate) async fn start(cavage_only: bool) -> Peer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let key = Arc::new(PrivateKey::generate().unwrap());
        let peer = Peer {
            base,
            key,
            received: Arc::default(),
            actor_gets: Arc::default(),
            cavage_only,
            also_known_as: Arc::default(),
            notes: Arc::default(),
            note_gets: Arc::default(),
            kind: Arc::new(Mutex::new("Person".into())),
        };
        let router = Router::new()
            .route("/users/peer", get(peer_actor))
            .route("/users/peer/inbox", post(peer_inbox))
            .route("/users/peer/notes/{n}", get(peer_note))
            .route("/inbox", post(peer_inbox))
            .with_state(peer.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        peer
    }

    pub(crate) fn actor(&self) -> String {
        format!("{}/users/peer", self.base)
    }

    pub(crate) fn key_id(&self) -> String {
        format!("{}#main-key", self.actor())
    }

    fn document(&self) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor(), "type": *self.kind.lock().unwrap(), "preferredUsername": "peer", "name": "Peer",
            "summary": "<p>A test peer &amp; friend</p>",
            "inbox": format!("{}/inbox", self.actor()),
            "endpoints": {"sharedInbox": format!("{}/inbox", self.base)},
            "followers": format!("{}/followers", self.actor()),
            "publicKey": {"id": self.key_id(), "owner": self.actor(), "publicKeyPem": self.key.public_key().to_pem()},
            "alsoKnownAs": *self.also_known_as.lock().unwrap(),
        })
    }

    /// Everything received so far, and forget it.
    pub(crate) fn take(&self) -> Vec<(HeaderMap, Uri, Bytes)> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }

    pub(crate) fn follow(&self, object: &str, n: u32) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", self.actor()), "type": "Follow", "actor": self.actor(), "object": object,
        })
    }
}

async fn peer_actor(State(peer): State<Peer>, headers: HeaderMap) -> impl IntoResponse {
    peer.actor_gets.lock().unwrap().push(headers);
    ([("content-type", AP)], peer.document().to_string())
}

async fn peer_note(State(peer): State<Peer>, uri: Uri) -> axum::response::Response {
    let id = format!("{}{}", peer.base, uri.path());
    peer.note_gets.lock().unwrap().push(id.clone());
    match peer.notes.lock().unwrap().get(&id) {
        Some(note) => ([("content-type", AP)], note.to_string()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn peer_inbox(State(peer): State<Peer>, headers: HeaderMap, uri: Uri, body: Bytes) -> StatusCode {
    let rfc9421 = headers.contains_key("signature-input");
    peer.received.lock().unwrap().push((headers, uri, body));
    if peer.cavage_only && rfc9421 { StatusCode::UNAUTHORIZED } else { StatusCode::ACCEPTED }
}

/// A POST to Canteen's `path`, signed by `key` (or not at all).
pub(crate) fn signed_post(
    path: &str,
    body: &str,
    key: Option<(&PrivateKey, &str)>,
    dialect: Dialect,
    at: SystemTime,
) -> Request<Body> {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", AP.parse().unwrap());
    let mut parts = RequestParts::new(Method::POST, format!("{}{path}", support::PUBLIC_URL).parse().unwrap(), headers);
    if let Some((key, key_id)) = key {
        match dialect {
            Dialect::Rfc9421 => signatures::sign_rfc9421(&mut parts, body.as_bytes(), key, key_id, at).unwrap(),
            Dialect::Cavage => signatures::sign_cavage(&mut parts, body.as_bytes(), key, key_id, at).unwrap(),
        }
    }
    let mut req = Request::post(path).body(Body::from(body.to_string())).unwrap();
    *req.headers_mut() = parts.headers;
    req
}

async fn inbox_refuses_unsigned_bad_and_stale_requests(backend: Backend) {
    let s = server(backend).await;
    s.user("alice").await;
    let peer = Peer::start(false).await;
    let follow = peer.follow("https://canteen.test/users/alice", 1).to_string();
    let now = SystemTime::now();
    let key_id = peer.key_id();
    let good = Some((&*peer.key, key_id.as_str()));
    let accounts_before = s.count("accounts").await;

    let r = s.send(signed_post("/inbox", &follow, None, Dialect::Cavage, now)).await;
    assert!(r.error(401).contains("not signed"), "{}", r.text);
    assert!(r.headers["www-authenticate"].to_str().unwrap().starts_with("Signature"));

    let stale = now - Duration::from_secs(13 * 3600);
    let r = s.send(signed_post("/inbox", &follow, good, Dialect::Rfc9421, stale)).await;
    assert!(r.error(401).contains("too old"), "{}", r.text);

    let mut tampered = signed_post("/inbox", &follow, good, Dialect::Cavage, now);
    *tampered.body_mut() = Body::from(follow.replace("Follow", "Block"));
    let r = s.send(tampered).await;
    assert!(r.error(401).contains("does not match the body"), "{}", r.text);

    // Signed with a key that is not the one the actor publishes.
    let stranger = PrivateKey::generate().unwrap();
    let r = s.send(signed_post("/inbox", &follow, Some((&stranger, &key_id)), Dialect::Rfc9421, now)).await;
    assert!(r.error(401).contains("does not verify"), "{}", r.text);

    // A valid signature by the peer, but for an activity claiming another actor.
    let mut forged = peer.follow("https://canteen.test/users/alice", 2);
    forged["actor"] = json!("http://127.0.0.1:9/users/victim");
    let r = s.send(signed_post("/inbox", &forged.to_string(), good, Dialect::Cavage, now)).await;
    assert!(r.error(401).contains("but the activity's actor is"), "{}", r.text);

    // Nothing was followed, nothing queued; only the peer's own (fetched) actor was stored.
    assert_eq!(s.count("follows").await, 0);
    assert_eq!(s.count("jobs").await, 0);
    assert_eq!(s.count("accounts").await, accounts_before + 1);

    // With the default (strict) policy, a loopback key is never fetched.
    let strict = TestServer::new(backend).await;
    strict.user("alice").await;
    let r = strict.send(signed_post("/inbox", &follow, good, Dialect::Rfc9421, now)).await;
    let message = r.error(401);
    assert!(message.contains("refused to contact") && message.contains("loopback"), "{message}");
    assert_eq!(strict.count("follows").await, 0);

    // A personal inbox of nobody is a 404.
    s.send(signed_post("/users/nobody/inbox", &follow, good, Dialect::Cavage, now)).await.error(404);
}

async fn a_remote_follow_is_accepted_with_a_signed_delivery(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    set_flags(&s, "alice", false, false).await;
    let bob = s.user("bob").await;
    set_flags(&s, "bob", true, false).await;
    // This peer speaks draft-cavage only: the first (RFC 9421) knock is refused.
    let peer = Peer::start(true).await;
    let key_id = peer.key_id();
    let now = SystemTime::now();
    let follow = peer.follow(&alice.uri, 1);
    let r = s
        .send(signed_post("/users/alice/inbox", &follow.to_string(), Some((&peer.key, &key_id)), Dialect::Rfc9421, now))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let follower = canteen_store::federation::remote_actor_by_uri(s.app.store.reader(), &peer.actor())
        .await
        .unwrap()
        .expect("the peer is stored");
    assert_eq!(follower.inbox_url.as_deref(), Some(format!("{}/inbox", peer.actor()).as_str()));
    assert_eq!(follower.public_key_id.as_deref(), Some(key_id.as_str()));
    let remote = canteen_store::accounts::by_id(s.app.store.reader(), canteen_domain::Id(follower.account_id))
        .await
        .unwrap()
        .unwrap();
    let port = peer.base.rsplit(':').next().unwrap();
    assert_eq!(remote.acct(), format!("peer@127.0.0.1:{port}"));
    assert_eq!(remote.note, "A test peer & friend");
    assert_eq!(s.count("follows").await, 1);
    assert_eq!(s.count("jobs WHERE kind = 'federation.deliver'").await, 1);

    // The delivery: a signed Accept of exactly that Follow, in draft-cavage after the refusal.
    s.run_jobs().await;
    let received = peer.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2, "one refused RFC 9421 knock, then cavage");
    let (headers, uri, body) = received.last().unwrap().clone();
    let accept: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], alice.uri.as_str());
    assert_eq!(accept["object"]["id"], follow["id"]);
    let alice_doc = get_as(&s, "/users/alice", AP).await.json_ld();
    let alice_key = PublicKey::from_pem(alice_doc["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let target = format!("{}{}", peer.base, uri.path());
    let req = RequestParts::new(Method::POST, target.parse().unwrap(), headers);
    let verified = signatures::verify(&req, &body, &VerifyOptions::default(), |id| {
        (id == format!("{}#main-key", alice.uri)).then(|| alice_key.clone())
    })
    .expect("Canteen's signature verifies");
    assert_eq!(verified.dialect, Dialect::Cavage);
    let server =
        canteen_store::federation::server(s.app.store.reader(), &format!("127.0.0.1:{port}")).await.unwrap().unwrap();
    assert_eq!(server.signature_dialect.as_deref(), Some("cavage"), "remembered per server");
    assert_eq!(server.failures, 0);
    assert_eq!(s.count("jobs").await, 0);

    // Followers collection and notifications see the remote follower.
    let page = get_as(&s, "/users/alice/followers?page=true", AP).await.json_ld();
    assert_eq!(page["orderedItems"], json!([peer.actor()]));

    // Undo (embedded Follow) removes it; nothing else is sent.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/undo/1", peer.actor()),
        "type": "Undo", "actor": peer.actor(), "object": follow,
    });
    let r = s.send(signed_post("/inbox", &undo.to_string(), Some((&peer.key, &key_id)), Dialect::Cavage, now)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count("follows").await, 0);

    // A locked account gets a request, and no Accept goes out until its owner approves.
    let r = s
        .send(signed_post(
            "/inbox",
            &peer.follow(&bob.uri, 2).to_string(),
            Some((&peer.key, &key_id)),
            Dialect::Cavage,
            now,
        ))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count("follow_requests").await, 1);
    assert_eq!(s.count("follows").await, 0);
    assert_eq!(s.count("jobs").await, 0);
    // Undo by id only (no embedded Follow) withdraws the request.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/undo/2", peer.actor()),
        "type": "Undo", "actor": peer.actor(), "object": format!("{}/follows/2", peer.actor()),
    });
    let r = s.send(signed_post("/inbox", &undo.to_string(), Some((&peer.key, &key_id)), Dialect::Cavage, now)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count("follow_requests").await, 0);

    // Other activity types are accepted and ignored for now.
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/likes/1", peer.actor()),
        "type": "Like", "actor": peer.actor(), "object": "https://canteen.test/users/alice/statuses/1",
    });
    let r = s.send(signed_post("/inbox", &like.to_string(), Some((&peer.key, &key_id)), Dialect::Rfc9421, now)).await;
    assert_eq!(r.status, 202, "{}", r.text);
}

/// The peer sends a signed `Follow` of `object` (numbered `n`), which must be accepted (202).
pub(crate) async fn follow_from(s: &TestServer, peer: &Peer, object: &str, n: u32) {
    let body = peer.follow(object, n).to_string();
    let r = s
        .send(signed_post("/inbox", &body, Some((&peer.key, &peer.key_id())), Dialect::Cavage, SystemTime::now()))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
}

pub(crate) async fn remote_id(s: &TestServer, peer: &Peer) -> canteen_domain::Id {
    let r = canteen_store::federation::remote_actor_by_uri(s.app.store.reader(), &peer.actor()).await.unwrap();
    canteen_domain::Id(r.expect("the peer is stored").account_id)
}

/// A local account's published key.
async fn public_key(s: &TestServer, username: &str) -> PublicKey {
    let doc = get_as(s, &format!("/users/{username}"), AP).await.json_ld();
    PublicKey::from_pem(doc["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap()
}

/// One delivery as received by `peer`: checks it is signed by `actor`'s key (with
/// canteen-federation's verifier) and returns (path, activity).
pub(crate) fn verified(
    peer: &Peer,
    delivery: &(HeaderMap, Uri, Bytes),
    actor: &str,
    key: &PublicKey,
) -> (String, Value) {
    let (headers, uri, body) = delivery.clone();
    let target = format!("{}{}", peer.base, uri.path());
    let req = RequestParts::new(Method::POST, target.parse().unwrap(), headers);
    signatures::verify(&req, &body, &VerifyOptions::default(), |id| {
        (id == format!("{actor}#main-key")).then(|| key.clone())
    })
    .expect("Canteen's signature verifies");
    let activity: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(activity["actor"], actor);
    assert!(matches!(Object::from_value(activity.clone()).unwrap(), Object::Activity(_)), "{activity}");
    (uri.path().to_string(), activity)
}

/// The `Note` served at a post's uri, without its `@context` (as embedded in an activity).
async fn served_note(s: &TestServer, uri: &str) -> Value {
    let mut note = get_as(s, uri.strip_prefix(support::PUBLIC_URL).unwrap(), AP).await.json_ld();
    note.as_object_mut().unwrap().remove("@context");
    note
}

pub(crate) async fn deliveries(s: &TestServer) -> i64 {
    s.count("jobs WHERE kind = 'federation.deliver'").await
}

async fn posts_reach_only_servers_with_a_recipient(backend: Backend) {
    let s = server(backend).await;
    let (alice, token) = s.signed_in("alice").await;
    set_flags(&s, "alice", false, false).await;
    let bob = s.user("bob").await;
    set_flags(&s, "bob", false, false).await;
    let (a, b) = (Peer::start(false).await, Peer::start(false).await);
    // A has a follower of alice; B is known here (it follows bob) but has none.
    follow_from(&s, &a, &alice.uri, 1).await;
    follow_from(&s, &b, &bob.uri, 1).await;
    s.run_jobs().await;
    a.take();
    b.take();
    let key = public_key(&s, "alice").await;
    let as_public = "https://www.w3.org/ns/activitystreams#Public";
    let followers = format!("{}/followers", alice.uri);

    // Public: a Create to A's shared inbox, its Note exactly what the post's uri serves.
    let post = s.post(&token, json!({"status": "Hello #fediverse", "visibility": "public"})).await;
    let uri = post["uri"].as_str().unwrap().to_string();
    assert_eq!(deliveries(&s).await, 1, "one job, for the one server with a follower");
    s.run_jobs().await;
    let got = a.take();
    assert_eq!(got.len(), 1);
    assert!(b.take().is_empty(), "B has no follower of alice");
    let (path, create) = verified(&a, &got[0], &alice.uri, &key);
    assert_eq!(path, "/inbox", "the shared inbox is preferred");
    assert_eq!(create["type"], "Create");
    assert_eq!(create["id"], format!("{uri}/activity"));
    assert_eq!((&create["to"], &create["cc"]), (&json!([as_public]), &json!([followers])));
    assert_eq!(create["object"], served_note(&s, &uri).await);

    // A reply to a local post: a Create as usual, naming the parent.
    let reply = s.post(&token, json!({"status": "And more", "in_reply_to_id": post["id"]})).await;
    s.run_jobs().await;
    let got = a.take();
    assert_eq!(got.len(), 1);
    let (_, create) = verified(&a, &got[0], &alice.uri, &key);
    assert_eq!(create["object"]["inReplyTo"], uri.as_str());
    assert_eq!(create["object"], served_note(&s, reply["uri"].as_str().unwrap()).await);

    // Followers only: A alone, and nothing public anywhere in it.
    s.post(&token, json!({"status": "Just for followers", "visibility": "private"})).await;
    assert_eq!(deliveries(&s).await, 1);
    s.run_jobs().await;
    let got = a.take();
    assert_eq!(got.len(), 1);
    assert!(b.take().is_empty());
    let (_, create) = verified(&a, &got[0], &alice.uri, &key);
    assert_eq!((&create["to"], &create["cc"]), (&json!([followers]), &json!([])));
    assert_eq!((&create["object"]["to"], &create["object"]["cc"]), (&create["to"], &create["cc"]));
    assert!(!String::from_utf8_lossy(&got[0].2).contains("#Public"), "no as:Public in a followers-only post");

    // Direct, mentioning only local people: no remote recipient, no delivery.
    s.post(&token, json!({"status": "@bob hello", "visibility": "direct"})).await;
    assert_eq!(deliveries(&s).await, 0);

    // Mutuals: B now follows alice too, but only A's actor is followed back.
    follow_from(&s, &b, &alice.uri, 2).await;
    s.run_jobs().await;
    b.take();
    let (a_id, b_id) = (remote_id(&s, &a).await, remote_id(&s, &b).await);
    canteen_store::relationships::follow(s.app.store.writer(), alice.id, a_id, true, false, 1).await.unwrap();
    s.post(&token, json!({"status": "Mutuals only", "canteen_visibility": "mutuals"})).await;
    assert_eq!(deliveries(&s).await, 1);
    s.run_jobs().await;
    assert!(b.take().is_empty(), "B's actor follows alice but is not followed back");
    let got = a.take();
    assert_eq!(got.len(), 1);
    let (_, create) = verified(&a, &got[0], &alice.uri, &key);
    assert_eq!((&create["to"], &create["cc"]), (&json!([a.actor()]), &json!([])));
    let text = String::from_utf8_lossy(&got[0].2);
    assert!(!text.contains("#Public") && !text.contains(&followers), "named recipients only: {text}");

    // A circle: only its remote member (B), named.
    canteen_store::relationships::follow(s.app.store.writer(), alice.id, b_id, true, false, 1).await.unwrap();
    let list = s.json(Method::POST, "/api/v1/lists", Some(&token), json!({"title": "Circle"})).await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s
        .json(
            Method::POST,
            &format!("/api/v1/lists/{list}/accounts"),
            Some(&token),
            json!({"account_ids": [b_id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.post(&token, json!({"status": "Circle only", "canteen_visibility": format!("circle:{list}")})).await;
    assert_eq!(deliveries(&s).await, 1);
    s.run_jobs().await;
    assert!(a.take().is_empty(), "A's actor is not in the circle");
    let got = b.take();
    assert_eq!(got.len(), 1);
    let (_, create) = verified(&b, &got[0], &alice.uri, &key);
    assert_eq!((&create["to"], &create["cc"]), (&json!([b.actor()]), &json!([])));

    // An edit of the public post: Update, to both servers now, with the new Note.
    let id = post["id"].as_str().unwrap();
    let r =
        s.json(Method::PUT, &format!("/api/v1/statuses/{id}"), Some(&token), json!({"status": "Hello again"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(deliveries(&s).await, 2);
    s.run_jobs().await;
    let note = served_note(&s, &uri).await;
    assert!(note["updated"].is_string());
    for peer in [&a, &b] {
        let got = peer.take();
        assert_eq!(got.len(), 1);
        let (_, update) = verified(peer, &got[0], &alice.uri, &key);
        assert_eq!(update["type"], "Update");
        assert_eq!(update["object"], note);
        assert!(update["object"]["content"].as_str().unwrap().contains("Hello again"));
    }

    // A delete: Delete with a Tombstone, to both.
    let r = s
        .send(
            Request::delete(format!("/api/v1/statuses/{id}"))
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(deliveries(&s).await, 2);
    s.run_jobs().await;
    for peer in [&a, &b] {
        let got = peer.take();
        assert_eq!(got.len(), 1);
        let (_, delete) = verified(peer, &got[0], &alice.uri, &key);
        assert_eq!(delete["type"], "Delete");
        assert_eq!(delete["object"]["type"], "Tombstone");
        assert_eq!(delete["object"]["id"], uri.as_str());
        assert_eq!((&delete["to"], &delete["cc"]), (&json!([as_public]), &json!([followers])));
    }
    // Gone, not unknown: a Tombstone with 410, so servers that fetch it drop their copies.
    let gone = get_as(&s, uri.strip_prefix(support::PUBLIC_URL).unwrap(), AP).await;
    assert_eq!(gone.status, 410, "{}", gone.text);
    assert_eq!((gone.json["type"].as_str(), gone.json["formerType"].as_str()), (Some("Tombstone"), Some("Note")));
    assert_eq!(gone.json["id"], uri.as_str());
}

async fn settling_a_remote_follow_request_answers_it(backend: Backend) {
    let s = server(backend).await;
    let (bob, token) = s.signed_in("bob").await;
    set_flags(&s, "bob", true, false).await;
    let (a, b) = (Peer::start(false).await, Peer::start(false).await);
    follow_from(&s, &a, &bob.uri, 1).await;
    follow_from(&s, &b, &bob.uri, 1).await;
    assert_eq!(s.count("follow_requests").await, 2);
    assert_eq!(deliveries(&s).await, 0, "nothing is answered until bob decides");
    let (a_id, b_id) = (remote_id(&s, &a).await, remote_id(&s, &b).await);
    for (who, what) in [(a_id, "authorize"), (b_id, "reject")] {
        let r = s.json(Method::POST, &format!("/api/v1/follow_requests/{who}/{what}"), Some(&token), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(deliveries(&s).await, 2);
    s.run_jobs().await;
    let key = public_key(&s, "bob").await;
    for (peer, kind) in [(&a, "Accept"), (&b, "Reject")] {
        let got = peer.take();
        assert_eq!(got.len(), 1, "{kind}");
        let (path, answer) = verified(peer, &got[0], &bob.uri, &key);
        assert_eq!(path, "/users/peer/inbox", "answered to the follower's own inbox");
        assert_eq!(answer["type"], kind);
        assert_eq!(answer["object"]["id"], peer.follow(&bob.uri, 1)["id"]);
    }
    assert_eq!(s.count("follows").await, 1);
    assert_eq!(s.count("follow_requests").await, 0);
    // The accepted follow kept its Follow id: an Undo by id alone finds it.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/undo/1", a.actor()),
        "type": "Undo", "actor": a.actor(), "object": format!("{}/follows/1", a.actor()),
    });
    let r = s
        .send(signed_post("/inbox", &undo.to_string(), Some((&a.key, &a.key_id())), Dialect::Cavage, SystemTime::now()))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count("follows").await, 0);
}

// ---------------------------------------------------------------------------------------------
// Fedify as the remote peer.

fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../federation/tests/peer")
}

/// Node 22 from the peer's node_modules, or `None` (skipped, except under CI=true).
fn fedify_node() -> Option<PathBuf> {
    let dir = peer_dir();
    let found = dir.join("node_modules/@fedify/fedify/package.json").exists().then(|| {
        ["node_modules/node/bin/node", "node_modules/.bin/node"].iter().map(|p| dir.join(p)).find(|p| p.exists())
    });
    match found.flatten() {
        Some(node) => Some(node),
        None => {
            let hint = format!("run `npm ci` in {}", dir.display());
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("Fedify peer not installed: {hint}");
            }
            eprintln!("SKIPPED a_fedify_peer_follows_and_verifies_the_accept: Fedify peer not installed ({hint})");
            None
        }
    }
}

async fn a_fedify_peer_follows_and_verifies_the_accept(backend: Backend) {
    let Some(node) = fedify_node() else { return };
    // Canteen on a real loopback port: Fedify fetches its actor document to verify the Accept.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let s = TestServer::with(
        backend,
        |c| {
            c.public_url = base.clone();
            c.federation_allow_private = vec!["127.0.0.1".into()];
        },
        support::relaxed_limits(),
    )
    .await;
    let router = s.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let alice = s.user("alice").await;
    set_flags(&s, "alice", false, false).await;

    for spec in ["rfc9421", "draft-cavage-http-signatures-12"] {
        let mut child = tokio::process::Command::new(&node)
            .arg("follow_peer.mjs")
            .current_dir(peer_dir())
            .env("CANTEEN_ACTOR", &alice.uri)
            .env("CANTEEN_INBOX", format!("{base}/inbox"))
            .env("SIGN_SPEC", spec)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the Fedify peer");
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(child.stdout.take().unwrap()));
        let mut next = async || -> Value {
            let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .expect("the peer answers in time")
                .unwrap()
                .expect("the peer printed a line");
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("peer printed {line}"))
        };
        let followed = next().await;
        assert_eq!(followed["followStatus"], 202, "{spec}: {followed}");
        let peer_actor = followed["actor"].as_str().unwrap().to_string();
        assert_eq!(s.count("jobs WHERE kind = 'federation.deliver'").await, 1, "{spec}");
        s.run_jobs().await;
        let accepted = next().await;
        assert_eq!(accepted["verified"], true, "{spec}: Fedify verifies Canteen's Accept: {accepted}");
        assert_eq!(accepted["keyId"], format!("{}#main-key", alice.uri));
        assert_eq!(accepted["activity"]["type"], "Accept");
        assert_eq!(accepted["activity"]["object"]["actor"], peer_actor.as_str());
        assert_eq!(accepted["signatureInput"], true, "{spec}: RFC 9421 is tried first and Fedify accepts it");
        let out = child.wait_with_output().await.unwrap();
        assert!(out.status.success(), "peer failed: {}", String::from_utf8_lossy(&out.stderr));
        let page = get_as(&s, "/users/alice/followers?page=true", AP).await.json_ld();
        assert!(page["orderedItems"].as_array().unwrap().contains(&json!(peer_actor)), "{spec}");
    }
}

/// The private-address allow-list is empty (strict) unless configured, and a bad entry is
/// refused at start-up with its name.
#[test]
fn the_private_address_allow_list_is_strict_by_default() {
    use canteen::config::{Config, Overrides};
    let defaults = Config::default();
    assert!(defaults.federation_allow_private.is_empty());
    assert!(defaults.app_config().federation_allow_private.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("canteen.toml");
    std::fs::write(&file, "federation_allow_private = [\"127.0.0.1:8081\", \"10.9.0.0/16\"]\n").unwrap();
    let c = Config::load(Some(&file), Overrides::default()).unwrap();
    assert_eq!(c.app_config().federation_allow_private, ["127.0.0.1:8081", "10.9.0.0/16"]);
    std::fs::write(&file, "federation_allow_private = [\"10.0.0.0/33\"]\n").unwrap();
    let err = format!("{:#}", Config::load(Some(&file), Overrides::default()).unwrap_err());
    assert!(err.contains("federation_allow_private") && err.contains("10.0.0.0/33"), "{err}");
}
