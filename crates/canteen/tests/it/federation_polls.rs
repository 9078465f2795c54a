//! Polls across servers: a `Question` from another server arrives with its options and
//! counts, a vote from here goes to its author's server (a `Note` naming the option, signed
//! by the voter), and its `Update`s bring new counts; another server's people vote on our
//! polls the same way, counted once, only by those who may see the post.

use crate::federation::{AP, Peer, get_as, server, verified};
use crate::federation_inbox::{AS_PUBLIC, activity, note, send};
use crate::support;

use axum::http::Method;
use canteen_federation::keys::PublicKey;
use serde_json::{Value, json};
use support::Backend;

backend_tests!(a_poll_from_another_server_and_our_vote_on_it, votes_from_another_server_on_our_poll);

fn question(peer: &Peer, n: u32, to: Value, counts: [u64; 3], mention: &str) -> Value {
    let mut q = note(
        peer,
        n,
        "<p>Which shift pattern do you prefer?</p>",
        to,
        json!([mention]),
        json!([{"type": "Mention", "href": mention, "name": "@alice"}]),
    );
    q["type"] = json!("Question");
    q["oneOf"] =
        json!(["Earlies", "Lates", "Nights"]
        .iter()
        .zip(counts)
        .map(|(name, n)| json!({"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": n}}))
        .collect::<Vec<_>>());
    q["endTime"] = json!("2099-01-01T00:00:00Z");
    q["votersCount"] = json!(counts.iter().sum::<u64>());
    q
}

async fn a_poll_from_another_server_and_our_vote_on_it(b: Backend) {
    let s = server(b).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    let q = question(&peer, 1, json!([AS_PUBLIC]), [3, 1, 0], &alice.uri);
    let r = send(&s, &peer, &activity(&peer, "Create", 1, q.clone())).await;
    assert_eq!(r.status, 202, "{}", r.text);
    s.run_jobs().await;
    peer.take();

    let tl = s.get("/api/v1/timelines/public", None).await;
    let post = tl.json.as_array().unwrap().iter().find(|p| p["uri"] == q["id"]).cloned().expect("the post is here");
    let poll = &post["poll"];
    let titles: Vec<&str> = poll["options"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Earlies", "Lates", "Nights"], "{poll}");
    assert_eq!(poll["options"][0]["votes_count"], 3, "the counts its server sent");
    assert_eq!((poll["votes_count"].as_i64(), poll["voters_count"].as_i64()), (Some(4), Some(4)));
    assert_eq!((poll["multiple"].as_bool(), poll["expired"].as_bool()), (Some(false), Some(false)));
    let poll_id = poll["id"].as_str().unwrap().to_string();

    // Alice votes: it is kept here, and goes to the author's server signed by her.
    let r = s
        .form(Method::POST, &format!("/api/v1/polls/{poll_id}/votes"), Some(&alice_token), &[("choices[]", "2")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((r.json["voted"].as_bool(), r.json["own_votes"].clone()), (Some(true), json!([2])));
    let again = s
        .form(Method::POST, &format!("/api/v1/polls/{poll_id}/votes"), Some(&alice_token), &[("choices[]", "1")])
        .await;
    assert_eq!(again.error(422), "You have already voted in this poll");
    s.run_jobs().await;
    let received = peer.take();
    assert_eq!(received.len(), 1, "one vote, one delivery");
    let doc = get_as(&s, "/users/alice", AP).await;
    let key = PublicKey::from_pem(doc.json["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    let (path, vote) = verified(&peer, &received[0], &alice.uri, &key);
    assert_eq!(path, "/users/peer/inbox", "to the author's own inbox");
    assert_eq!(vote["type"], "Create");
    assert_eq!(vote["object"]["type"], "Note");
    assert_eq!(vote["object"]["name"], "Nights");
    assert_eq!(vote["object"]["inReplyTo"], q["id"]);
    assert_eq!(vote["to"], json!([peer.actor()]), "a vote is for the author only: {vote}");
    assert!(vote["object"].get("content").is_none());

    // The author's server sends new counts.
    let updated = question(&peer, 1, json!([AS_PUBLIC]), [3, 1, 1], &alice.uri);
    let r = send(&s, &peer, &activity(&peer, "Update", 2, updated)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let seen = s.get(&format!("/api/v1/polls/{poll_id}"), Some(&alice_token)).await;
    assert_eq!(seen.json["options"][2]["votes_count"], 1, "{}", seen.text);
    assert_eq!(seen.json["votes_count"], 5);
    assert_eq!(seen.json["own_votes"], json!([2]));
}

async fn votes_from_another_server_on_our_poll(b: Backend) {
    let s = server(b).await;
    let alice = s.user("alice").await;
    let alice_token = s.token_for("alice", "read write").await;
    let peer = Peer::start(false).await;
    let post = s
        .post(&alice_token, json!({"status": "Canteen menu?", "visibility": "public", "poll": {"options": ["Curry", "Salad"], "expires_in": 3600}}))
        .await;
    let private = s
        .post(&alice_token, json!({"status": "Team only", "visibility": "private", "poll": {"options": ["Yes", "No"], "expires_in": 3600}}))
        .await;
    let vote = |n: u32, question: &Value, name: &str, by: &str| {
        let object = json!({
            "id": format!("{}/votes/{n}", peer.actor()), "type": "Note", "name": name,
            "attributedTo": by, "to": [alice.uri], "inReplyTo": question["uri"],
        });
        activity(&peer, "Create", 100 + n, object)
    };
    let poll_of = |v: &Value| v["poll"]["id"].as_str().unwrap().to_string();
    let count = |id: String| {
        let (s, t) = (&s, alice_token.clone());
        async move { s.get(&format!("/api/v1/polls/{id}"), Some(&t)).await.json["votes_count"].as_i64().unwrap() }
    };

    let r = send(&s, &peer, &vote(1, &post, "Salad", &peer.actor())).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(count(poll_of(&post)).await, 1);
    assert_eq!(s.count("statuses").await, 2, "a vote is not stored as a reply");
    // Counted once in a single-choice poll; an option that does not exist, a vote on a post the
    // voter may not see, and a vote signed by someone else are not counted.
    send(&s, &peer, &vote(2, &post, "Curry", &peer.actor())).await;
    send(&s, &peer, &vote(3, &post, "Chips", &peer.actor())).await;
    send(&s, &peer, &vote(4, &private, "Yes", &peer.actor())).await;
    let forged = send(&s, &peer, &vote(5, &post, "Curry", "https://elsewhere.example/users/x")).await;
    assert_eq!(forged.status, 401, "{}", forged.text);
    assert_eq!(count(poll_of(&post)).await, 1);
    assert_eq!(count(poll_of(&private)).await, 0);

    // The Question we serve carries the vote.
    let served = get_as(&s, post["uri"].as_str().unwrap().strip_prefix(support::PUBLIC_URL).unwrap(), AP).await;
    assert_eq!(served.json["type"], "Question", "{}", served.text);
    assert_eq!(served.json["oneOf"][1]["name"], "Salad");
    assert_eq!(served.json["oneOf"][1]["replies"]["totalItems"], 1);
    assert_eq!(served.json["votersCount"], 1);
}
