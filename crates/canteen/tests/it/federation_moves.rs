//! `Move`: an account elsewhere moves to a new one. Once the new account's own document names
//! the old one (`alsoKnownAs`), the people here who followed the old account follow the new
//! one (a request, answered by its server) and stop following the old; a Move the new account
//! does not confirm, or of someone else, changes nothing.

use crate::federation::{Peer, follow_from, remote_id, server, signed_post};
use crate::support;

use std::time::SystemTime;

use canteen_federation::signatures::Dialect;
use serde_json::{Value, json};
use support::{Backend, TestServer};

backend_tests!(followers_move_with_a_confirmed_move_only);

fn move_of(from: &Peer, object: &str, target: &str, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/moves/{n}", from.actor()), "type": "Move", "actor": from.actor(),
        "object": object, "target": target,
    })
}

async fn send(s: &TestServer, from: &Peer, activity: &Value) -> support::Resp {
    s.send(signed_post(
        "/inbox",
        &activity.to_string(),
        Some((&from.key, &from.key_id())),
        Dialect::Cavage,
        SystemTime::now(),
    ))
    .await
}

async fn followers_move_with_a_confirmed_move_only(b: Backend) {
    let s = server(b).await;
    let alice = s.user("alice").await;
    let bob = s.user("bob").await;
    let (old, new, stranger) = (Peer::start(false).await, Peer::start(false).await, Peer::start(false).await);
    // The old account is known here (it followed alice); alice and bob follow it.
    follow_from(&s, &old, &alice.uri, 1).await;
    s.run_jobs().await;
    let old_id = remote_id(&s, &old).await;
    for who in [&alice, &bob] {
        s.exec_sql(&format!(
            "INSERT INTO follows (account_id, target_account_id, show_reblogs, notify, created_at) VALUES ({}, {}, TRUE, FALSE, 0)",
            who.id.0, old_id.0
        ))
        .await;
        // As an accepted remote follow keeps its Follow's id (so it can be undone).
        let follow_id = format!("{}#follows/{}", who.uri, who.id.0);
        canteen_store::federation::set_follow_uri(s.app.store.writer(), false, who.id, old_id, &follow_id)
            .await
            .unwrap();
    }
    let follows_of_old = format!("follows WHERE target_account_id = {}", old_id.0);
    assert_eq!(s.count(&follows_of_old).await, 2);

    // Not confirmed: the new account does not name the old one.
    let r = send(&s, &old, &move_of(&old, &old.actor(), &new.actor(), 1)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert!(r.text.contains("also known as"), "{}", r.text);
    // Someone else's move: refused.
    let r = send(&s, &stranger, &move_of(&stranger, &old.actor(), &new.actor(), 2)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(s.count(&follows_of_old).await, 2, "nothing moved");

    // Confirmed: both follow the new account (a request until its server accepts).
    new.also_known_as.lock().unwrap().push(old.actor());
    let r = send(&s, &old, &move_of(&old, &old.actor(), &new.actor(), 3)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(s.count(&follows_of_old).await, 0);
    let new_id = remote_id(&s, &new).await;
    assert_eq!(s.count(&format!("follow_requests WHERE target_account_id = {}", new_id.0)).await, 2);
    s.run_jobs().await;
    let follows: Vec<Value> = new
        .take()
        .iter()
        .map(|(_, _, body)| serde_json::from_slice::<Value>(body).unwrap())
        .filter(|a| a["type"] == "Follow")
        .collect();
    let mut actors: Vec<&str> = follows.iter().map(|f| f["actor"].as_str().unwrap()).collect();
    actors.sort_unstable();
    assert_eq!(actors, [alice.uri.as_str(), bob.uri.as_str()], "a Follow from each, to the new account");
    let undos = old.take().iter().filter(|(_, _, b)| String::from_utf8_lossy(b).contains("\"Undo\"")).count();
    assert_eq!(undos, 2, "the old account is told they stopped following");
}
