//! Private notes, featured profiles, followed hashtags, suggestions, muted conversations.

use crate::support;

use axum::http::Method;
use serde_json::json;
use support::{Backend, TestServer};

async fn notes_and_endorsements(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (sam_acct, _) = s.signed_in("sam").await;
    let sam = sam_acct.id.to_string();
    let r = s
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{sam}/note"),
            Some(&jo),
            json!({"comment": "Met at the flu clinic"}),
        )
        .await;
    assert_eq!(r.json["note"], "Met at the flu clinic");
    assert_eq!(
        s.get(&format!("/api/v1/accounts/relationships?id[]={sam}"), Some(&jo)).await.json[0]["note"],
        "Met at the flu clinic"
    );
    let long = s
        .json(Method::POST, &format!("/api/v1/accounts/{sam}/note"), Some(&jo), json!({"comment": "x".repeat(2001)}))
        .await;
    long.error(422);
    s.json(Method::POST, &format!("/api/v1/accounts/{sam}/note"), Some(&jo), json!({"comment": ""})).await;
    assert_eq!(s.get(&format!("/api/v1/accounts/relationships?id[]={sam}"), Some(&jo)).await.json[0]["note"], "");

    s.json(Method::POST, &format!("/api/v1/accounts/{sam}/pin"), Some(&jo), json!({})).await.error(422);
    s.json(Method::POST, &format!("/api/v1/accounts/{sam}/follow"), Some(&jo), json!({})).await;
    let r = s.json(Method::POST, &format!("/api/v1/accounts/{sam}/pin"), Some(&jo), json!({})).await;
    assert_eq!(r.json["endorsed"], true);
    assert_eq!(s.get("/api/v1/endorsements", Some(&jo)).await.json[0]["id"], sam.as_str());
    let jo_id = s.get("/api/v1/accounts/verify_credentials", Some(&jo)).await.json["id"].as_str().unwrap().to_string();
    assert_eq!(s.get(&format!("/api/v1/accounts/{jo_id}/endorsements"), None).await.json[0]["id"], sam.as_str());
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&jo), json!({"hide_collections": true})).await;
    assert!(s.get(&format!("/api/v1/accounts/{jo_id}/endorsements"), None).await.json.as_array().unwrap().is_empty());
    s.json(Method::POST, &format!("/api/v1/accounts/{sam}/unpin"), Some(&jo), json!({})).await;
    assert!(s.get("/api/v1/endorsements", Some(&jo)).await.json.as_array().unwrap().is_empty());
}

async fn followed_hashtags_feed_home(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let r = s.json(Method::POST, "/api/v1/tags/FluJab/follow", Some(&jo), json!({})).await;
    assert_eq!((r.json["name"].as_str(), r.json["following"].as_bool()), (Some("flujab"), Some(true)));
    assert_eq!(s.get("/api/v1/followed_tags", Some(&jo)).await.json[0]["name"], "flujab");
    assert_eq!(s.get("/api/v1/tags/flujab", Some(&jo)).await.json["following"], true);
    s.get("/api/v1/tags/%20", None).await.error(404);
    let public = s.post(&sam, json!({"status": "Clinic open #FluJab"})).await["id"].as_str().unwrap().to_string();
    s.post(&sam, json!({"status": "Staff only #FluJab", "visibility": "private"})).await;
    s.post(&sam, json!({"status": "Quiet one #FluJab", "visibility": "unlisted"})).await;
    s.run_jobs().await;
    let home: Vec<String> = s
        .get("/api/v1/timelines/home", Some(&jo))
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(home, vec![public], "only the public post reaches a tag follower");
    s.json(Method::POST, "/api/v1/tags/flujab/unfollow", Some(&jo), json!({})).await;
    assert!(s.get("/api/v1/followed_tags", Some(&jo)).await.json.as_array().unwrap().is_empty());
}

async fn suggestions_from_the_graph(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (sam_acct, sam) = s.signed_in("sam").await;
    let (kim_acct, _) = s.signed_in("kim").await;
    let (lee_acct, lee) = s.signed_in("lee").await;
    let (priv_acct, private) = s.signed_in("private_person").await;
    s.json(Method::PATCH, "/api/v1/canteen/profile", Some(&private), json!({"profile_mode": "personal"})).await;
    // Fresh account: global suggestions, never yourself or a non-discoverable profile.
    let v2 = s.get("/api/v2/suggestions", Some(&jo)).await.json;
    let names: Vec<&str> = v2.as_array().unwrap().iter().map(|x| x["account"]["username"].as_str().unwrap()).collect();
    assert!(!names.is_empty() && !names.contains(&"jo") && !names.contains(&"private_person"), "{names:?}");
    assert_eq!(v2[0]["source"], "global");
    // Jo follows Sam and Lee, who both follow Kim: Kim comes first, as a friend of friends.
    for t in [&sam, &lee] {
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", kim_acct.id), Some(t), json!({})).await;
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", priv_acct.id), Some(t), json!({})).await;
    }
    for a in [&sam_acct, &lee_acct] {
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", a.id), Some(&jo), json!({})).await;
    }
    let v2 = s.get("/api/v2/suggestions", Some(&jo)).await.json;
    assert_eq!(v2[0]["account"]["username"], "kim", "{v2}");
    assert_eq!(v2[0]["source"], "friends_of_friends");
    let names: Vec<&str> = v2.as_array().unwrap().iter().map(|x| x["account"]["username"].as_str().unwrap()).collect();
    assert!(!names.contains(&"sam") && !names.contains(&"lee"), "already followed: {names:?}");
    assert!(!names.contains(&"private_person"), "not discoverable: {names:?}");
    let v1 = s.get("/api/v1/suggestions", Some(&jo)).await.json;
    assert_eq!(v1[0]["username"], "kim");
}

async fn muted_conversations_are_quiet(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let (_, sam) = s.signed_in("sam").await;
    let root = s.post(&jo, json!({"status": "Rota thread"})).await["id"].as_str().unwrap().to_string();
    let reply =
        s.post(&sam, json!({"status": "@jo first", "in_reply_to_id": root})).await["id"].as_str().unwrap().to_string();
    s.run_jobs().await;
    let m = s.json(Method::POST, &format!("/api/v1/statuses/{reply}/mute"), Some(&jo), json!({})).await;
    assert_eq!(m.json["muted"], true);
    s.post(&sam, json!({"status": "@jo second", "in_reply_to_id": reply})).await;
    s.run_jobs().await;
    let mentions = s.get("/api/v1/notifications?types[]=mention", Some(&jo)).await.json;
    assert_eq!(mentions.as_array().unwrap().len(), 1, "only the mention before the mute");
    s.json(Method::POST, &format!("/api/v1/statuses/{root}/unmute"), Some(&jo), json!({})).await;
    s.post(&sam, json!({"status": "@jo third", "in_reply_to_id": root})).await;
    s.run_jobs().await;
    assert_eq!(s.get("/api/v1/notifications?types[]=mention", Some(&jo)).await.json.as_array().unwrap().len(), 2);
}

backend_tests!(
    notes_and_endorsements,
    followed_hashtags_feed_home,
    suggestions_from_the_graph,
    muted_conversations_are_quiet
);

async fn hashtag_filters_lists_featured_tags_and_updates(b: Backend) {
    let s = TestServer::new(b).await;
    let (jo_acct, jo) = s.signed_in("jo").await;
    let (sam_acct, sam) = s.signed_in("sam").await;
    let (kim_acct, kim) = s.signed_in("kim").await;
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
    };
    let a = s.post(&sam, json!({"status": "#flu #clinic"})).await["id"].as_str().unwrap().to_string();
    let b2 = s.post(&sam, json!({"status": "#flu only"})).await["id"].as_str().unwrap().to_string();
    let c = s.post(&sam, json!({"status": "#covid #clinic"})).await["id"].as_str().unwrap().to_string();
    assert_eq!(ids(&s.get("/api/v1/timelines/tag/flu", None).await.json), vec![b2.clone(), a.clone()]);
    assert_eq!(
        ids(&s.get("/api/v1/timelines/tag/flu?any[]=covid", None).await.json),
        vec![c.clone(), b2.clone(), a.clone()]
    );
    assert_eq!(ids(&s.get("/api/v1/timelines/tag/flu?all[]=clinic", None).await.json), vec![a.clone()]);
    assert_eq!(ids(&s.get("/api/v1/timelines/tag/flu?none[]=clinic", None).await.json), vec![b2.clone()]);

    // Lists: replies policy and exclusive lists.
    for acct in [&sam_acct, &kim_acct] {
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", acct.id), Some(&jo), json!({})).await;
    }
    let list = s
        .json(
            Method::POST,
            "/api/v1/lists",
            Some(&jo),
            json!({"title": "Sam", "replies_policy": "none", "exclusive": true}),
        )
        .await;
    let lid = list.json["id"].as_str().unwrap().to_string();
    assert_eq!(list.json["exclusive"], true);
    s.json(
        Method::POST,
        &format!("/api/v1/lists/{lid}/accounts"),
        Some(&jo),
        json!({"account_ids": [sam_acct.id.to_string()]}),
    )
    .await;
    let kim_post = s.post(&kim, json!({"status": "kim here"})).await["id"].as_str().unwrap().to_string();
    let reply = s.post(&sam, json!({"status": "reply to kim", "in_reply_to_id": kim_post})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sam_post = s.post(&sam, json!({"status": "sam's own"})).await["id"].as_str().unwrap().to_string();
    s.run_jobs().await;
    let in_list = ids(&s.get(&format!("/api/v1/timelines/list/{lid}"), Some(&jo)).await.json);
    assert!(in_list.contains(&sam_post) && !in_list.contains(&reply), "replies_policy none: {in_list:?}");
    s.json(Method::PUT, &format!("/api/v1/lists/{lid}"), Some(&jo), json!({"replies_policy": "followed"})).await;
    assert!(
        ids(&s.get(&format!("/api/v1/timelines/list/{lid}"), Some(&jo)).await.json).contains(&reply),
        "kim is followed"
    );
    let home = ids(&s.get("/api/v1/timelines/home?limit=40", Some(&jo)).await.json);
    assert!(home.contains(&kim_post) && !home.contains(&sam_post), "exclusive list keeps sam out of home: {home:?}");

    // Featured hashtags.
    let f = s.json(Method::POST, "/api/v1/featured_tags", Some(&sam), json!({"name": "#Flu"})).await;
    assert_eq!(f.status, 200, "{}", f.text);
    assert_eq!((f.json["name"].as_str(), f.json["statuses_count"].as_str()), (Some("flu"), Some("2")));
    s.json(Method::POST, "/api/v1/featured_tags", Some(&sam), json!({"name": "flu"})).await.error(422);
    s.json(Method::POST, "/api/v1/featured_tags", Some(&sam), json!({"name": "not a tag!"})).await.error(422);
    assert_eq!(s.get(&format!("/api/v1/accounts/{}/featured_tags", sam_acct.id), None).await.json[0]["name"], "flu");
    let fid = f.json["id"].as_str().unwrap().to_string();
    s.json(Method::DELETE, &format!("/api/v1/featured_tags/{fid}"), Some(&jo), json!({})).await.error(404);
    s.json(Method::DELETE, &format!("/api/v1/featured_tags/{fid}"), Some(&sam), json!({})).await;
    assert!(s.get("/api/v1/featured_tags", Some(&sam)).await.json.as_array().unwrap().is_empty());

    // Editing a post tells those who re-posted it.
    s.json(Method::POST, &format!("/api/v1/statuses/{a}/reblog"), Some(&kim), json!({})).await;
    s.json(
        Method::PUT,
        &format!("/api/v1/statuses/{a}"),
        Some(&sam),
        json!({"status": "#flu #clinic (times changed)"}),
    )
    .await;
    let n = s.get("/api/v1/notifications?types[]=update", Some(&kim)).await.json;
    assert_eq!(n[0]["status"]["id"], a.as_str(), "{n}");
    let _ = jo_acct;
}

backend_tests!(hashtag_filters_lists_featured_tags_and_updates);
