//! What other servers send us: posts created, edited and deleted (HTML sanitised, audience
//! mapped, unsolicited ones dropped, forged ones refused), likes, re-posts and blocks both
//! ways; and what admins do to whole
//! servers: domain blocks (suspend, silence, reject media) and limited federation.

use crate::federation::{Peer, deliveries, follow_from, remote_id, server, signed_post};
use crate::support;

use std::time::SystemTime;

use axum::http::Method;
use canteen_federation::signatures::Dialect;
use serde_json::{Value, json};
use support::{Backend, TestServer};

backend_tests!(
    likes_of_remote_posts_reach_their_author,
    replies_bring_their_conversation,
    incoming_media_is_described_not_copied,
    incoming_posts_are_stored_sanitised_edited_and_deleted,
    forged_and_unsolicited_posts_are_not_stored,
    domain_blocks_cut_a_server_off_and_silence_hides_it,
    limited_federation_admits_only_allowed_servers,
    announces_and_blocks_go_both_ways,
    a_flood_of_deliveries_is_slowed_down,
    a_new_actors_first_activities_at_once_are_all_accepted,
    local_streams_carry_only_local_posts,
    silenced_servers_stay_off_the_public_streams,
);

/// A silenced server's public post stays off the public and hashtag streams, as off the
/// public timelines.
async fn silenced_servers_stay_off_the_public_streams(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let root = admin(&s, "root").await;
    let peer = Peer::start(false).await;
    let domain = peer.base.trim_start_matches("http://").to_string();
    let r = s
        .form(Method::POST, "/api/v1/admin/domain_blocks", Some(&root), &[("domain", &domain), ("severity", "silence")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut public = support::sse_open(&s, "/api/v1/streaming/public", None).await;
    let mut tag = support::sse_open(&s, "/api/v1/streaming/hashtag?tag=wardlife", None).await;
    let tags =
        json!([{"type": "Mention", "href": alice.uri, "name": "@alice"}, {"type": "Hashtag", "name": "#WardLife"}]);
    let n = note(&peer, 1, "<p>Loud @alice #WardLife</p>", json!([AS_PUBLIC]), json!([alice.uri]), tags);
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 1, n.clone())).await.status, 202);
    let mine = s.post(&alice_token, json!({"status": "Quiet #WardLife"})).await["id"].as_str().unwrap().to_string();
    s.run_jobs().await;
    for stream in [&mut public, &mut tag] {
        let seen = support::sse_read_until(stream, |_, v| v["id"] == mine.as_str()).await;
        let uris: Vec<&Value> = seen.iter().filter(|(e, _)| e == "update").map(|(_, v)| &v["uri"]).collect();
        assert_eq!(uris.len(), 1, "only the local post: {uris:?}");
        assert_ne!(uris[0], &n["id"]);
    }
}

/// `public:local` carries this server's posts only; `public` carries a remote one too.
async fn local_streams_carry_only_local_posts(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    let mut public = support::sse_open(&s, "/api/v1/streaming/public", None).await;
    let mut local = support::sse_open(&s, "/api/v1/streaming/public/local", None).await;
    let mut local_tag = support::sse_open(&s, "/api/v1/streaming/hashtag/local?tag=wardlife", None).await;
    // A remote post addressed to Alice (so it is kept), public, with a hashtag.
    let tag =
        json!([{"type": "Mention", "href": alice.uri, "name": "@alice"}, {"type": "Hashtag", "name": "#WardLife"}]);
    let n = note(&peer, 1, "<p>Hello @alice #WardLife</p>", json!([AS_PUBLIC]), json!([alice.uri]), tag);
    let r = send(&s, &peer, &activity(&peer, "Create", 1, n.clone())).await;
    assert_eq!(r.status, 202, "{}", r.text);
    // And a local one.
    let mine =
        s.post(&alice_token, json!({"status": "Local news #WardLife"})).await["id"].as_str().unwrap().to_string();
    s.run_jobs().await;
    let updates = |seen: Vec<(String, Value)>| -> Vec<Value> {
        seen.into_iter().filter(|(e, _)| e == "update").map(|(_, v)| v["uri"].clone()).collect()
    };
    let on_public = updates(support::sse_read_until(&mut public, |_, v| v["id"] == mine.as_str()).await);
    assert!(on_public.contains(&n["id"]), "the remote post is on public: {on_public:?}");
    for stream in [&mut local, &mut local_tag] {
        let seen = updates(support::sse_read_until(stream, |_, v| v["id"] == mine.as_str()).await);
        assert_eq!(seen.len(), 1, "only the local post: {seen:?}");
        assert_ne!(seen[0], n["id"]);
    }
}

/// A new actor's first activities arriving together each fetch its document and store it.
/// With overlapping transactions (PostgreSQL with a pool of connections, as in the inbox
/// benchmark) all but the first found the account inserted under them (401, "duplicate
/// key"); the test server's transactions may not overlap, so this guards the path rather
/// than reproducing the race every time.
async fn a_new_actors_first_activities_at_once_are_all_accepted(backend: Backend) {
    let s = server(backend).await;
    let peer = Peer::start(false).await;
    let deletes: Vec<Value> = (0..8)
        .map(|n| {
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/deletes/{n}", peer.actor()), "type": "Delete", "actor": peer.actor(),
                "object": {"id": format!("{}/notes/{n}", peer.actor()), "type": "Tombstone"},
            })
        })
        .collect();
    let answers = futures_util::future::join_all(deletes.iter().map(|d| send(&s, &peer, d))).await;
    for r in &answers {
        assert_eq!(r.status, 202, "{}", r.text);
    }
    // Stored (and, by the accounts' unique constraint, once).
    remote_id(&s, &peer).await;
}

pub(crate) const AS_PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

pub(crate) async fn send(s: &TestServer, peer: &Peer, activity: &Value) -> support::Resp {
    let req = signed_post(
        "/inbox",
        &activity.to_string(),
        Some((&peer.key, &peer.key_id())),
        Dialect::Cavage,
        SystemTime::now(),
    );
    s.send(req).await
}

pub(crate) fn note(peer: &Peer, n: u32, content: &str, to: Value, cc: Value, tag: Value) -> Value {
    json!({
        "id": format!("{}/notes/{n}", peer.actor()), "type": "Note", "attributedTo": peer.actor(),
        "content": content, "contentMap": {"en": content}, "published": "2026-11-20T10:00:00Z",
        "to": to, "cc": cc, "tag": tag, "url": format!("{}/@peer/{n}", peer.base),
    })
}

pub(crate) fn activity(peer: &Peer, kind: &str, n: u32, object: Value) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", {"sensitive": "as:sensitive"}],
        "id": format!("{}/activities/{kind}/{n}", peer.actor()), "type": kind, "actor": peer.actor(),
        "object": object,
    })
}

async fn on_public(s: &TestServer, text: &str) -> bool {
    let tl = s.get("/api/v1/timelines/public", None).await;
    tl.json.as_array().unwrap().iter().any(|p| p["content"].as_str().unwrap_or("").contains(text))
}

pub(crate) async fn admin(s: &TestServer, name: &str) -> String {
    s.user(name).await;
    s.exec_sql(&format!("UPDATE users SET role = 'admin' WHERE email = '{name}@example.nhs.uk'")).await;
    s.token_for(name, "read write admin:read admin:write").await
}

/// Liking another server's post tells its author's server (`Like`, signed by the liker), and
/// unliking sends its `Undo`; a bookmark stays private.
async fn likes_of_remote_posts_reach_their_author(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    let n = note(&peer, 1, "<p>Hello @alice</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 1, n.clone())).await.status, 202);
    let tl = s.get("/api/v1/timelines/public", None).await;
    let id =
        tl.json.as_array().unwrap().iter().find(|p| p["uri"] == n["id"]).unwrap()["id"].as_str().unwrap().to_string();
    s.run_jobs().await;
    peer.take();
    for path in ["favourite", "bookmark", "unfavourite"] {
        let r = s.form(Method::POST, &format!("/api/v1/statuses/{id}/{path}"), Some(&alice_token), &[]).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    s.run_jobs().await;
    let doc = crate::federation::get_as(&s, "/users/alice", crate::federation::AP).await;
    let key =
        canteen_federation::keys::PublicKey::from_pem(doc.json["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let got: Vec<Value> =
        peer.take().iter().map(|d| crate::federation::verified(&peer, d, &alice.uri, &key).1).collect();
    let kinds: Vec<&str> = got.iter().map(|a| a["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Like", "Undo"], "no activity for the bookmark: {got:?}");
    assert_eq!(got[0]["object"], n["id"]);
    assert_eq!(got[1]["object"]["type"], "Like");
    assert_eq!(got[1]["object"]["id"], got[0]["id"], "the Undo names the Like");
}

/// A delivered reply to a post not held here: the posts above it are fetched (public ones
/// only, at most five) so its conversation can be read.
async fn replies_bring_their_conversation(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    let followers = json!([format!("{}/followers", peer.actor())]);
    let mut root = note(&peer, 1, "<p>Night shift starts</p>", json!([AS_PUBLIC]), json!([]), json!([]));
    let mut middle = note(&peer, 2, "<p>Anyone bringing snacks?</p>", json!([AS_PUBLIC]), json!([]), json!([]));
    middle["inReplyTo"] = root["id"].clone();
    let mention = json!([{"type": "Mention", "href": alice.uri, "name": "@alice"}]);
    let mut reply = note(&peer, 3, "<p>@alice you in?</p>", json!([AS_PUBLIC]), json!([alice.uri]), mention.clone());
    reply["inReplyTo"] = middle["id"].clone();
    for n in [&root, &middle] {
        peer.notes.lock().unwrap().insert(n["id"].as_str().unwrap().to_string(), n.clone());
    }
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 3, reply.clone())).await.status, 202);
    s.run_jobs().await;
    let tl = s.get("/api/v1/timelines/public", None).await;
    let find = |uri: &Value| tl.json.as_array().unwrap().iter().find(|p| p["uri"] == *uri).cloned();
    let reply_id = find(&reply["id"]).expect("the reply is here")["id"].as_str().unwrap().to_string();
    let context = s.get(&format!("/api/v1/statuses/{reply_id}/context"), Some(&alice_token)).await;
    let above: Vec<&str> =
        context.json["ancestors"].as_array().unwrap().iter().map(|p| p["uri"].as_str().unwrap()).collect();
    assert_eq!(above, [root["id"].as_str().unwrap(), middle["id"].as_str().unwrap()], "{}", context.text);

    // A followers-only parent is not fetched into the open: the walk stops there.
    root["id"] = json!(format!("{}/notes/10", peer.actor()));
    let mut private = note(&peer, 11, "<p>Team only</p>", followers.clone(), json!([]), json!([]));
    private["inReplyTo"] = root["id"].clone();
    peer.notes.lock().unwrap().insert(private["id"].as_str().unwrap().to_string(), private.clone());
    let mut reply2 = note(&peer, 12, "<p>@alice see above</p>", json!([AS_PUBLIC]), json!([alice.uri]), mention);
    reply2["inReplyTo"] = private["id"].clone();
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 12, reply2.clone())).await.status, 202);
    let before = s.count("statuses").await;
    s.run_jobs().await;
    assert_eq!(s.count("statuses").await, before, "the private parent is not stored");
    assert!(peer.note_gets.lock().unwrap().contains(&private["id"].as_str().unwrap().to_string()), "it was asked for");
}

/// Media on another server's post: described (type, alt text, size, blurhash) with its own
/// address, shown on our pages as a link (our pages load only our own images); a server whose
/// media is rejected gets its posts without it.
async fn incoming_media_is_described_not_copied(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let root = admin(&s, "root").await;
    let peer = Peer::start(false).await;
    follow_from(&s, &peer, &alice.uri, 1).await;
    s.run_jobs().await;
    let picture = |n: u32| {
        json!([{
            "type": "Document", "mediaType": "image/jpeg", "url": format!("{}/media/{n}.jpg", peer.base),
            "name": "<p>A garden with raised beds</p>", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "width": 1200, "height": 800,
            "focalPoint": [0.5, -2.0],
        }])
    };
    let mut post = note(&peer, 1, "<p>Our new garden</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    post["attachment"] = picture(1);
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 1, post.clone())).await.status, 202);
    let tl = s.get("/api/v1/timelines/public", None).await;
    let shown = tl.json.as_array().unwrap().iter().find(|p| p["uri"] == post["id"]).cloned().expect("stored");
    let media = &shown["media_attachments"][0];
    assert_eq!(media["type"], "image", "{shown}");
    assert_eq!(media["url"], format!("{}/media/1.jpg", peer.base));
    assert_eq!(media["remote_url"], media["url"]);
    assert_eq!(media["description"], "A garden with raised beds", "alt text as plain text");
    assert_eq!(media["meta"]["original"]["width"], 1200);
    assert_eq!(media["meta"]["focus"]["y"], -1.0, "a focal point out of range is clamped");
    let page = crate::web::get(&s, "/public", "").await;
    assert!(
        page.text.contains(&format!(
            "href=\"{}/media/1.jpg\" rel=\"noopener noreferrer\">Picture: A garden with raised beds",
            peer.base
        )),
        "{}",
        page.text
    );
    assert!(!page.text.contains(&format!("<img src=\"{}", peer.base)), "never loaded from the other server");
    let media_id = media["id"].as_str().unwrap();
    assert_eq!(s.get(&format!("/system/media/remote-{media_id}"), None).await.status, 404, "no file here");

    // Reject media: the next post arrives without its file.
    let domain = peer.base.trim_start_matches("http://").to_string();
    let r = s
        .form(
            Method::POST,
            "/api/v1/admin/domain_blocks",
            Some(&root),
            &[("domain", &domain), ("severity", "noop"), ("reject_media", "true")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut second = note(&peer, 2, "<p>More garden</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    second["attachment"] = picture(2);
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 2, second.clone())).await.status, 202);
    let tl = s.get("/api/v1/timelines/home", Some(&alice_token)).await;
    let shown = tl.json.as_array().unwrap().iter().find(|p| p["uri"] == second["id"]).cloned();
    let shown = match shown {
        Some(p) => p,
        None => s
            .get("/api/v1/timelines/public", None)
            .await
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["uri"] == second["id"])
            .cloned()
            .expect("stored"),
    };
    assert_eq!(shown["media_attachments"], json!([]), "{shown}");
}

async fn incoming_posts_are_stored_sanitised_edited_and_deleted(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    let mention =
        json!([{"type": "Mention", "href": alice.uri, "name": "@alice"}, {"type": "Hashtag", "name": "#WardLife"}]);
    let content = r#"<p>Hello <a href="https://canteen.test/@alice">@alice</a> <script>alert(1)</script><img src="x" onerror="y">#WardLife</p>"#;
    let n = note(&peer, 1, content, json!([AS_PUBLIC]), json!([alice.uri]), mention);
    let r = send(&s, &peer, &activity(&peer, "Create", 1, n.clone())).await;
    assert_eq!(r.status, 202, "{}", r.text);
    s.run_jobs().await;

    // Stored as Mastodon shows a remote post: acct with the domain, its own uri and url.
    let tl = s.get("/api/v1/timelines/public", None).await;
    let post = tl.json.as_array().unwrap().iter().find(|p| p["uri"] == n["id"]).cloned().expect("in public timeline");
    let port = peer.base.rsplit(':').next().unwrap();
    assert_eq!(post["account"]["acct"], format!("peer@127.0.0.1:{port}"));
    assert_eq!(post["url"], format!("{}/@peer/1", peer.base));
    assert_eq!(post["visibility"], "public");
    assert_eq!(post["language"], "en");
    let html = post["content"].as_str().unwrap();
    assert!(!html.contains("script") && !html.contains("onerror") && !html.contains("<img"), "{html}");
    assert!(html.contains("Hello"), "{html}");
    assert_eq!(post["tags"][0]["name"], "wardlife");
    // Alice was mentioned: she is told.
    let notes = s.get("/api/v1/notifications?types[]=mention", Some(&alice_token)).await;
    assert_eq!(notes.json[0]["status"]["uri"], n["id"], "{}", notes.text);

    // The same Create again changes nothing.
    let r = send(&s, &peer, &activity(&peer, "Create", 1, n.clone())).await;
    assert_eq!(r.status, 202);
    assert_eq!(s.count(&format!("statuses WHERE uri = '{}'", n["id"].as_str().unwrap())).await, 1);

    // An Update edits it (with history); the audience stays.
    let mut edited = n.clone();
    edited["content"] = json!("<p>Hello again</p>");
    edited["contentMap"] = json!({"en": "<p>Hello again</p>"});
    edited["updated"] = json!("2026-11-20T11:00:00Z");
    let r = send(&s, &peer, &activity(&peer, "Update", 1, edited)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = post["id"].as_str().unwrap();
    let now = s.get(&format!("/api/v1/statuses/{id}"), None).await;
    assert_eq!(now.json["content"], "<p>Hello again</p>");
    assert!(now.json["edited_at"].is_string());
    let history = s.get(&format!("/api/v1/statuses/{id}/history"), None).await;
    assert_eq!(history.json.as_array().map(Vec::len), Some(2), "{}", history.text);

    // Alice's post is liked from there: a favourite and a notification.
    let mine = s.post(&alice_token, json!({"status": "Shift handover went well", "visibility": "public"})).await;
    let like = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/likes/1", peer.actor()),
        "type": "Like", "actor": peer.actor(), "object": mine["uri"]});
    assert_eq!(send(&s, &peer, &like).await.status, 202);
    let mine_now = s.get(&format!("/api/v1/statuses/{}", mine["id"].as_str().unwrap()), Some(&alice_token)).await;
    assert_eq!(mine_now.json["favourites_count"], 1);
    let favs = s.get("/api/v1/notifications?types[]=favourite", Some(&alice_token)).await;
    assert_eq!(favs.json[0]["account"]["acct"], format!("peer@127.0.0.1:{port}"), "{}", favs.text);

    // Delete (a Tombstone, as Mastodon sends) removes it.
    let tomb = json!({"id": n["id"], "type": "Tombstone"});
    let r = send(&s, &peer, &activity(&peer, "Delete", 1, tomb)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.get(&format!("/api/v1/statuses/{id}"), None).await.status, 404);
}

async fn forged_and_unsolicited_posts_are_not_stored(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let peer = Peer::start(false).await;
    let other = Peer::start(false).await;
    // Nobody here follows the peer and the post names nobody here: dropped.
    let lone = note(&peer, 1, "<p>Nobody asked</p>", json!([AS_PUBLIC]), json!([]), json!([]));
    let r = send(&s, &peer, &activity(&peer, "Create", 1, lone)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count("statuses").await, 0);
    // A post attributed to someone else than the signer: refused.
    let mut forged = note(&peer, 2, "<p>Spoof</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    forged["attributedTo"] = json!(other.actor());
    let r = send(&s, &peer, &activity(&peer, "Create", 2, forged)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    // A post whose id lives on another server than its author: refused.
    let mut elsewhere = note(&peer, 3, "<p>Planted</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    elsewhere["id"] = json!(format!("{}/notes/3", other.base));
    let r = send(&s, &peer, &activity(&peer, "Create", 3, elsewhere)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(s.count("statuses").await, 0);
    // Another server cannot delete or edit what is not its own: a real post of the peer stays.
    let real = note(&peer, 4, "<p>Real</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 4, real.clone())).await.status, 202);
    let del = activity(&other, "Delete", 1, json!({"id": real["id"], "type": "Tombstone"}));
    let r = send(&s, &other, &del).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(s.count("statuses").await, 1);
    // A direct post to Alice reaches her and no one else.
    let dm = note(&peer, 5, "<p>Private word</p>", json!([alice.uri]), json!([]), json!([]));
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 5, dm)).await.status, 202);
    s.run_jobs().await;
    s.user("bob").await;
    let bob = s.token_for("bob", "read").await;
    let alice_token = s.token_for("alice", "read").await;
    let id = s.get("/api/v1/timelines/home", Some(&alice_token)).await.json[0]["id"].as_str().unwrap().to_string();
    let seen = s.get(&format!("/api/v1/statuses/{id}"), Some(&alice_token)).await;
    assert_eq!((seen.status.as_u16(), seen.json["visibility"].as_str()), (200, Some("direct")), "{}", seen.text);
    assert_eq!(s.get(&format!("/api/v1/statuses/{id}"), Some(&bob)).await.status, 404);
    assert_eq!(s.get(&format!("/api/v1/statuses/{id}"), None).await.status, 404);
}

async fn domain_blocks_cut_a_server_off_and_silence_hides_it(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let root = admin(&s, "root").await;
    let peer = Peer::start(false).await;
    let domain = peer.base.trim_start_matches("http://").to_string();
    follow_from(&s, &peer, &alice.uri, 1).await;
    s.run_jobs().await;
    let public = note(&peer, 1, "<p>Loud news</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 1, public)).await.status, 202);
    s.run_jobs().await;
    assert!(on_public(&s, "Loud news").await);

    // Only admins; bad input is refused with the reason.
    let path = "/api/v1/admin/domain_blocks";
    let r = s.form(Method::POST, path, Some(&alice_token), &[("domain", &domain), ("severity", "silence")]).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = s.form(Method::POST, path, Some(&root), &[("domain", &domain), ("severity", "obliterate")]).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.json["error"].as_str().unwrap().contains("suspend, silence or noop"), "{}", r.text);
    let r = s.form(Method::POST, path, Some(&root), &[("domain", "not a domain")]).await;
    assert_eq!(r.status, 422, "{}", r.text);

    // Silence: off the public timeline; Alice, mentioned, still sees it.
    let r = s
        .form(
            Method::POST,
            path,
            Some(&root),
            &[("domain", &domain), ("severity", "silence"), ("reject_media", "true"), ("private_comment", "spam wave")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((r.json["domain"].as_str(), r.json["severity"].as_str()), (Some(domain.as_str()), Some("silence")));
    let block_id = r.json["id"].as_str().unwrap().to_string();
    assert!(!on_public(&s, "Loud news").await, "a silenced server's post is still on the public timeline");
    let mentions = s.get("/api/v1/notifications?types[]=mention", Some(&alice_token)).await;
    let mentioned_id = mentions.json[0]["status"]["id"].as_str().unwrap().to_string();
    assert_eq!(s.get(&format!("/api/v1/statuses/{mentioned_id}"), Some(&alice_token)).await.status, 200);
    // From now on a silenced server's people notify only those who follow them; alice does
    // not follow the peer, so its new mention reaches her post list but not her notifications.
    let mentions_before = mentions.json.as_array().unwrap().len();
    let tag = json!([{"type": "Mention", "href": alice.uri, "name": "@alice"}]);
    let quiet = note(&peer, 3, "<p>Quiet word @alice</p>", json!([AS_PUBLIC]), json!([alice.uri]), tag);
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 3, quiet)).await.status, 202);
    s.run_jobs().await;
    let mentions = s.get("/api/v1/notifications?types[]=mention", Some(&alice_token)).await;
    assert_eq!(mentions.json.as_array().unwrap().len(), mentions_before, "{}", mentions.text);
    let r = s.form(Method::POST, path, Some(&root), &[("domain", &domain)]).await;
    assert_eq!(r.status, 422, "a second block on one domain: {}", r.text);
    // The public list shows the public comment only.
    let listed = s.get("/api/v1/instance/domain_blocks", None).await;
    assert_eq!(listed.json[0]["severity"], "silence");
    assert!(!listed.text.contains("spam wave"));

    // Suspend: the follow ends, the account is suspended, the inbox refuses, and a delivery
    // queued before the block is dropped rather than sent.
    s.run_jobs().await;
    peer.take();
    s.post(&alice_token, json!({"status": "Public, queued before the block", "visibility": "public"})).await;
    assert!(deliveries(&s).await >= 1, "a delivery to the follower is queued");
    let r = s.form(Method::PUT, &format!("{path}/{block_id}"), Some(&root), &[("severity", "suspend")]).await;
    assert_eq!((r.status.as_u16(), r.json["severity"].as_str()), (200, Some("suspend")), "{}", r.text);
    s.run_jobs().await;
    assert!(peer.take().is_empty(), "a suspended server received a delivery");
    assert_eq!(s.count("follows").await, 0);
    let peer_id = remote_id(&s, &peer).await;
    assert_eq!(s.get(&format!("/api/v1/accounts/{peer_id}"), None).await.status, 404);
    let later = note(&peer, 2, "<p>Still here</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    let before = s.count("statuses").await;
    let r = send(&s, &peer, &activity(&peer, "Create", 2, later)).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.json["error"].as_str().unwrap().contains("blocked"), "{}", r.text);
    assert_eq!(s.count("statuses").await, before);

    // Lifting the block reinstates the account.
    let r = s.form(Method::DELETE, &format!("{path}/{block_id}"), Some(&root), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(s.get(&format!("/api/v1/accounts/{peer_id}"), None).await.status, 200);
    assert_eq!(s.get("/api/v1/admin/domain_blocks", Some(&root)).await.json, json!([]));
}

async fn limited_federation_admits_only_allowed_servers(backend: Backend) {
    let s = TestServer::with(
        backend,
        |c| {
            c.federation_allow_private = vec!["127.0.0.1".into()];
            c.limited_federation = true;
        },
        support::relaxed_limits(),
    )
    .await;
    let alice = s.user("alice").await;
    let root = admin(&s, "root").await;
    let peer = Peer::start(false).await;
    let domain = peer.base.trim_start_matches("http://").to_string();
    let follow = peer.follow(&alice.uri, 1);
    let r = send(&s, &peer, &follow).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(s.count("follows").await, 0);
    assert_eq!(s.count("accounts WHERE domain IS NOT NULL").await, 0, "nothing fetched from a server not allowed");
    let r = s.form(Method::POST, "/api/v1/admin/domain_allows", Some(&root), &[("domain", &domain)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = send(&s, &peer, &follow).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count("follows").await, 1);
    let allows = s.get("/api/v1/admin/domain_allows", Some(&root)).await;
    assert_eq!(allows.json[0]["domain"], domain.as_str());
}

async fn announces_and_blocks_go_both_ways(backend: Backend) {
    let s = server(backend).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write follow").await;
    let peer = Peer::start(false).await;
    follow_from(&s, &peer, &alice.uri, 1).await;
    s.run_jobs().await;
    peer.take();
    let port = peer.base.rsplit(':').next().unwrap();

    // The peer re-posts Alice's post: counted, and Alice is told.
    let mine = s.post(&alice_token, json!({"status": "Flu clinic open till 8", "visibility": "public"})).await;
    s.run_jobs().await;
    peer.take();
    let announce = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/announces/1", peer.actor()), "type": "Announce", "actor": peer.actor(),
        "published": "2026-11-20T10:00:00Z", "to": [AS_PUBLIC], "cc": [alice.uri], "object": mine["uri"]});
    let r = send(&s, &peer, &announce).await;
    assert_eq!(r.status, 202, "{}", r.text);
    s.run_jobs().await;
    let mine_path = format!("/api/v1/statuses/{}", mine["id"].as_str().unwrap());
    assert_eq!(s.get(&mine_path, Some(&alice_token)).await.json["reblogs_count"], 1);
    let n = s.get("/api/v1/notifications?types[]=reblog", Some(&alice_token)).await;
    assert_eq!(n.json[0]["account"]["acct"], format!("peer@127.0.0.1:{port}"), "{}", n.text);
    // Its Undo takes the re-post back.
    let undo = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/announces/1/undo", peer.actor()), "type": "Undo", "actor": peer.actor(), "object": announce});
    assert_eq!(send(&s, &peer, &undo).await.status, 202);
    assert_eq!(s.get(&mine_path, Some(&alice_token)).await.json["reblogs_count"], 0);

    // Alice re-posts the peer's post: an Announce goes to the peer.
    let theirs = note(&peer, 1, "<p>Vaccines in stock</p>", json!([AS_PUBLIC]), json!([alice.uri]), json!([]));
    assert_eq!(send(&s, &peer, &activity(&peer, "Create", 1, theirs.clone())).await.status, 202);
    s.run_jobs().await;
    let held = s.get("/api/v1/notifications?types[]=mention", Some(&alice_token)).await.json[0]["status"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.form(Method::POST, &format!("/api/v1/statuses/{held}/reblog"), Some(&alice_token), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.run_jobs().await;
    let sent: Vec<Value> = peer.take().iter().map(|(_, _, b)| serde_json::from_slice(b).unwrap()).collect();
    let announced = sent.iter().find(|a| a["type"] == "Announce").expect("an Announce was delivered");
    assert_eq!(announced["object"], theirs["id"]);
    assert_eq!(announced["actor"], alice.uri.as_str());
    let r = s.form(Method::POST, &format!("/api/v1/statuses/{held}/unreblog"), Some(&alice_token), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.run_jobs().await;
    let sent: Vec<Value> = peer.take().iter().map(|(_, _, b)| serde_json::from_slice(b).unwrap()).collect();
    assert!(sent.iter().any(|a| a["type"] == "Undo" && a["object"]["type"] == "Announce"), "{sent:?}");

    // The peer blocks Alice: recorded; its Undo lifts it.
    let peer_id = remote_id(&s, &peer).await;
    let block = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/blocks/1", peer.actor()),
        "type": "Block", "actor": peer.actor(), "object": alice.uri});
    assert_eq!(send(&s, &peer, &block).await.status, 202);
    let rel = s.get(&format!("/api/v1/accounts/relationships?id[]={peer_id}"), Some(&alice_token)).await;
    assert_eq!((rel.json[0]["blocked_by"].as_bool(), rel.json[0]["followed_by"].as_bool()), (Some(true), Some(false)));
    let undo = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/blocks/1/undo", peer.actor()),
        "type": "Undo", "actor": peer.actor(), "object": block});
    assert_eq!(send(&s, &peer, &undo).await.status, 202);
    let rel = s.get(&format!("/api/v1/accounts/relationships?id[]={peer_id}"), Some(&alice_token)).await;
    assert_eq!(rel.json[0]["blocked_by"], false);

    // Alice blocks the peer: a Block goes out; unblocking sends its Undo.
    let r = s.form(Method::POST, &format!("/api/v1/accounts/{peer_id}/block"), Some(&alice_token), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.run_jobs().await;
    let sent: Vec<Value> = peer.take().iter().map(|(_, _, b)| serde_json::from_slice(b).unwrap()).collect();
    assert!(sent.iter().any(|a| a["type"] == "Block" && a["object"] == peer.actor().as_str()), "{sent:?}");
    let r = s.form(Method::POST, &format!("/api/v1/accounts/{peer_id}/unblock"), Some(&alice_token), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.run_jobs().await;
    let sent: Vec<Value> = peer.take().iter().map(|(_, _, b)| serde_json::from_slice(b).unwrap()).collect();
    assert!(sent.iter().any(|a| a["type"] == "Undo" && a["object"]["type"] == "Block"), "{sent:?}");
}

async fn a_flood_of_deliveries_is_slowed_down(backend: Backend) {
    let limits = canteen_api::ratelimit::RateLimits { inbox: 2, ..support::relaxed_limits() };
    let s = TestServer::with(backend, |c| c.federation_allow_private = vec!["127.0.0.1".into()], limits).await;
    let alice = s.user("alice").await;
    s.user("bob").await;
    let peer = Peer::start(false).await;
    for n in 1..=2 {
        let r = send(&s, &peer, &peer.follow(&alice.uri, n)).await;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let bob_uri = alice.uri.replace("alice", "bob");
    let r = send(&s, &peer, &peer.follow(&bob_uri, 3)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(s.count("follows").await, 1, "the refused delivery changed nothing");
}
