//! `Move`: an account elsewhere moves to a new one. Once the new account's own document names
//! the old one (`alsoKnownAs`), the people here who followed the old account follow the new
//! one (a request, answered by its server) and stop following the old; a Move the new account
//! does not confirm, or of someone else, changes nothing.

use crate::federation::{AP, Peer, follow_from, get_as, remote_id, server, signed_post};
use crate::support;
use crate::web::{PASSWORD, csrf_field, email, get, post, sign_in};

use std::time::SystemTime;

use canteen_federation::signatures::Dialect;
use serde_json::{Value, json};
use support::{Backend, TestServer};

backend_tests!(followers_move_with_a_confirmed_move_only, moving_a_profile_out_and_in);

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

async fn moving_a_profile_out_and_in(b: Backend) {
    let s = server(b).await;
    let alice = s.user("alice").await;
    let bob = s.user("bob").await;
    let carol = s.user("carol").await;
    let (new_home, follower, old_home) = (Peer::start(false).await, Peer::start(false).await, Peer::start(false).await);
    follow_from(&s, &follower, &alice.uri, 1).await;
    let bob_token = s.token_for("bob", "follow").await;
    let r = s
        .form(axum::http::Method::POST, &format!("/api/v1/accounts/{}/follow", alice.id.0), Some(&bob_token), &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.run_jobs().await;
    follower.take();

    let alice_web = sign_in(&s, &email("alice")).await;
    let token = csrf_field(&get(&s, "/settings/move", &alice_web).await.text);
    let try_move = |password: &'static str| {
        let (s, alice_web, token, target) = (&s, alice_web.clone(), token.clone(), new_home.actor());
        async move {
            post(
                s,
                "/settings/move",
                &alice_web,
                &[("target", &target), ("password", password), ("csrf_token", &token)],
            )
            .await
        }
    };
    let r = try_move("wrong").await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("Enter your password correctly"), "{}", r.text);
    let r = try_move(PASSWORD).await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("The new account does not say it is this profile yet"), "{}", r.text);
    assert_eq!(s.count(&format!("follows WHERE target_account_id = {}", alice.id.0)).await, 2, "nothing moved");

    new_home.also_known_as.lock().unwrap().push(alice.uri.clone());
    let r = try_move(PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let doc = get_as(&s, "/users/alice", AP).await;
    assert_eq!(doc.json["movedTo"], new_home.actor(), "{}", doc.text);
    // Bob (here) follows the new account now: a request its server answers.
    let new_id = remote_id(&s, &new_home).await;
    assert_eq!(
        s.count(&format!("follow_requests WHERE account_id = {} AND target_account_id = {}", bob.id.0, new_id.0)).await,
        1
    );
    assert_eq!(
        s.count(&format!("follows WHERE account_id = {} AND target_account_id = {}", bob.id.0, alice.id.0)).await,
        0
    );
    // The follower's server is told, signed by alice.
    s.run_jobs().await;
    let got: Vec<Value> = follower.take().iter().map(|(_, _, b)| serde_json::from_slice(b).unwrap()).collect();
    let moved = got.iter().find(|a| a["type"] == "Move").expect("a Move to the follower's server");
    assert_eq!(
        (moved["object"].as_str(), moved["target"].as_str()),
        (Some(alice.uri.as_str()), Some(new_home.actor().as_str()))
    );
    assert!(got.iter().any(|a| a["type"] == "Update" && a["object"]["movedTo"] == new_home.actor()), "{got:?}");
    let again = try_move(PASSWORD).await;
    assert!(again.text.contains("This profile has already moved"), "{}", again.text);

    // Moving in: carol names the old account; its Move brings its followers here to her.
    let carol_web = sign_in(&s, &email("carol")).await;
    let token = csrf_field(&get(&s, "/settings/move", &carol_web).await.text);
    let r =
        post(&s, "/settings/move/aliases", &carol_web, &[("also_known_as", "not an address"), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, 422);
    let r =
        post(&s, "/settings/move/aliases", &carol_web, &[("also_known_as", &old_home.actor()), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(get_as(&s, "/users/carol", AP).await.json["alsoKnownAs"], json!([old_home.actor()]));
    follow_from(&s, &old_home, &bob.uri, 9).await;
    let old_id = remote_id(&s, &old_home).await;
    s.exec_sql(&format!(
        "INSERT INTO follows (account_id, target_account_id, show_reblogs, notify, created_at) VALUES ({}, {}, TRUE, FALSE, 0)",
        bob.id.0, old_id.0
    ))
    .await;
    let r = send(&s, &old_home, &move_of(&old_home, &old_home.actor(), &carol.uri, 9)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(
        s.count(&format!("follows WHERE account_id = {} AND target_account_id = {}", bob.id.0, carol.id.0)).await,
        1
    );
    assert_eq!(
        s.count(&format!("follows WHERE account_id = {} AND target_account_id = {}", bob.id.0, old_id.0)).await,
        0
    );
}
