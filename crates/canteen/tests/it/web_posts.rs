//! What people do with posts in the web app, through the real router on SQLite and
//! PostgreSQL: the like, re-post and bookmark buttons (and the bookmarks and likes pages),
//! replying from a thread, scheduling a post for a chosen UK time, lists, switching
//! profiles, and a profile's tabs (posts, replies, pictures, followers, following).

use crate::support;
use crate::web::{csrf_field, email, get, post, sign_in};
use crate::web_journeys::{compose, compose_with};

use axum::http::StatusCode;
use serde_json::json;
use support::{Backend, TestServer};

/// A post's button form action (`/posts/{id}/{verb}`) as the page offers it, if it does.
fn offers(html: &str, id: &str, verb: &str) -> bool {
    html.contains(&format!("action=\"/posts/{id}/{verb}\""))
}

async fn like_repost_and_bookmark(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, alice_api) = s.signed_in("alice").await;
    let (_, carol_api) = s.signed_in("carol").await;
    s.user("bob").await;
    let public = s.post(&alice_api, json!({"status": "Flu clinic open today", "visibility": "public"})).await;
    let public_id = public["id"].as_str().unwrap().to_string();
    let private = s.post(&alice_api, json!({"status": "Team news for followers", "visibility": "private"})).await;
    let private_id = private["id"].as_str().unwrap().to_string();
    let hidden = s.post(&carol_api, json!({"status": "Only for carol's followers", "visibility": "private"})).await;
    let hidden_id = hidden["id"].as_str().unwrap().to_string();
    let bob = sign_in(&s, &email("bob")).await;
    let follow = s.token_for("bob", "follow").await;
    let alice_id = s.get("/api/v1/accounts/lookup?acct=alice", None).await.json["id"].as_str().unwrap().to_string();
    s.form(axum::http::Method::POST, &format!("/api/v1/accounts/{alice_id}/follow"), Some(&follow), &[]).await;
    s.run_jobs().await;

    let home = get(&s, "/", &bob).await;
    assert!(home.text.contains("Team news for followers"), "{}", home.text);
    assert!(offers(&home.text, &public_id, "like") && offers(&home.text, &public_id, "repost"));
    assert!(offers(&home.text, &private_id, "like"), "a followers-only post can be liked");
    assert!(!offers(&home.text, &private_id, "repost"), "but its audience does not allow re-posting");
    let token = csrf_field(&home.text);

    // Without the form's token nothing happens.
    let r = post(&s, &format!("/posts/{public_id}/like"), &bob, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&s, &format!("/posts/{public_id}/like"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], format!("/#post-{public_id}"), "back to the post");
    let seen = s.get(&format!("/api/v1/statuses/{public_id}"), Some(&alice_api)).await;
    assert_eq!(seen.json["favourites_count"], 1);
    let notes = s.get("/api/v1/notifications", Some(&alice_api)).await;
    assert_eq!(notes.json[0]["type"], "favourite", "{}", notes.text);
    let home = get(&s, "/", &bob).await;
    assert!(offers(&home.text, &public_id, "unlike"), "the button now undoes it");
    assert!(home.text.contains("aria-pressed=\"true\">Like"), "and says it is pressed");

    // A re-post, then undone.
    let r = post(&s, &format!("/posts/{public_id}/repost"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(s.get(&format!("/api/v1/statuses/{public_id}"), None).await.json["reblogs_count"], 1);
    assert!(get(&s, "/@bob", "").await.text.contains("re-posted"), "the re-post is on bob's profile");
    let r = post(&s, &format!("/posts/{public_id}/undo-repost"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(s.get(&format!("/api/v1/statuses/{public_id}"), None).await.json["reblogs_count"], 0);
    // Re-posting a followers-only post is refused, with the reason; a post bob may not see
    // is not found, as if it did not exist.
    let r = post(&s, &format!("/posts/{private_id}/repost"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("does not allow re-posting"), "{}", r.text);
    for verb in ["like", "bookmark", "repost"] {
        let r = post(&s, &format!("/posts/{hidden_id}/{verb}"), &bob, &[("csrf_token", &token)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{verb}");
    }
    assert_eq!(s.count("favourites").await, 1, "nothing half-written by the refusals");
    assert_eq!(post(&s, &format!("/posts/{public_id}/shout"), &bob, &[("csrf_token", &token)]).await.status, 404);

    // Bookmarks are private to their owner and listed on their own page.
    let empty = get(&s, "/bookmarks", &bob).await;
    assert!(empty.text.contains("You have not bookmarked any posts"), "{}", empty.text);
    for id in [&public_id, &private_id] {
        let r = post(&s, &format!("/posts/{id}/bookmark"), &bob, &[("csrf_token", &token)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let marks = get(&s, "/bookmarks", &bob).await;
    assert!(marks.text.contains("Flu clinic open today") && marks.text.contains("Team news for followers"));
    assert!(marks.text.find("Team news").unwrap() < marks.text.find("Flu clinic").unwrap(), "newest mark first");
    assert!(offers(&marks.text, &public_id, "remove-bookmark"));
    let r = post(&s, &format!("/posts/{private_id}/remove-bookmark"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!get(&s, "/bookmarks", &bob).await.text.contains("Team news for followers"));
    assert!(get(&s, "/likes", &bob).await.text.contains("Flu clinic open today"));
    // Signed out: sent to sign in; carol does not see bob's bookmarks.
    assert_eq!(get(&s, "/bookmarks", "").await.status, StatusCode::SEE_OTHER);
    let carol = sign_in(&s, &email("carol")).await;
    assert!(!get(&s, "/bookmarks", &carol).await.text.contains("Flu clinic"));
    // Once alice stops bob following her, her followers-only post leaves his likes page.
    let r = post(&s, &format!("/posts/{private_id}/like"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get(&s, "/likes", &bob).await.text.contains("Team news for followers"));
    let bob_id = s.get("/api/v1/accounts/lookup?acct=bob", None).await.json["id"].as_str().unwrap().to_string();
    let alice_follow = s.token_for("alice", "follow").await;
    let r = s
        .form(
            axum::http::Method::POST,
            &format!("/api/v1/accounts/{bob_id}/remove_from_followers"),
            Some(&alice_follow),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!get(&s, "/likes", &bob).await.text.contains("Team news for followers"));
}

async fn replying_from_a_thread(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, alice_api) = s.signed_in("alice").await;
    s.user("bob").await;
    let parent = s.post(&alice_api, json!({"status": "Who is going to the study day?", "visibility": "public"})).await;
    let parent_id = parent["id"].as_str().unwrap().to_string();
    let bob = sign_in(&s, &email("bob")).await;

    let thread = get(&s, &format!("/@alice/{parent_id}"), &bob).await;
    assert!(thread.text.contains("id=\"reply\""), "{}", thread.text);
    assert!(thread.text.contains(">@alice </textarea>"), "the reply starts with the author's handle");
    assert!(thread.text.contains(&format!("name=\"in_reply_to_id\" value=\"{parent_id}\"")));
    assert!(!get(&s, &format!("/@alice/{parent_id}"), "").await.text.contains("id=\"reply\""), "not signed out");
    let token = csrf_field(&thread.text);

    let r = compose(
        &s,
        &bob,
        &[
            ("status", "@alice I am, see you there"),
            ("visibility", "public"),
            ("in_reply_to_id", &parent_id),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.headers["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/@bob/"), "{location}");
    let reply_id = location.rsplit('/').next().unwrap();
    let reply = s.get(&format!("/api/v1/statuses/{reply_id}"), None).await;
    assert_eq!(reply.json["in_reply_to_id"], parent_id.as_str());
    let shown = get(&s, &location, &bob).await;
    assert!(shown.text.contains("Earlier in the conversation") && shown.text.contains("Who is going"));
    s.run_jobs().await;
    let notes = s.get("/api/v1/notifications", Some(&alice_api)).await;
    assert_eq!(notes.json[0]["type"], "mention", "{}", notes.text);

    // A reply to a post that does not exist (or bob may not see) is not found, and not saved.
    let before = s.count("statuses").await;
    let r = compose(
        &s,
        &bob,
        &[("status", "hello"), ("visibility", "public"), ("in_reply_to_id", "999999"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(s.count("statuses").await, before);
}

async fn scheduling_for_a_chosen_time(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let alice = sign_in(&s, &email("alice")).await;
    let token = csrf_field(&get(&s, "/", &alice).await.text);
    let now = canteen_app::clock::now_ms();
    let uk = |ms: i64| canteen_web::uk_time::show(ms).0;
    let send = |when: String| {
        let token = token.clone();
        let alice = alice.clone();
        let s = &s;
        async move {
            compose(
                s,
                &alice,
                &[
                    ("status", "Reminder: flu jabs in the atrium"),
                    ("visibility", "public"),
                    ("schedule_at", &when),
                    ("csrf_token", &token),
                ],
            )
            .await
        }
    };
    let r = send("next Tuesday".into()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Enter the date and time to send it"), "{}", r.text);
    assert!(r.text.contains("value=\"next Tuesday\""), "what was typed is kept");
    let r = send(uk(now - 60 * 60 * 1000)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("at least 5 minutes in the future"), "{}", r.text);
    assert!(r.text.contains("href=\"#schedule_at\""), "the error summary links to the field");
    assert_eq!(s.count("scheduled_statuses").await, 0);

    let at = now + 3 * 60 * 60 * 1000;
    let r = send(uk(at)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], "/scheduled?added=1");
    assert_eq!(s.count("statuses").await, 0, "not posted yet");
    let page = get(&s, "/scheduled?added=1", &alice).await;
    assert!(page.text.contains("Your post is scheduled"), "{}", page.text);
    assert!(page.text.contains("Reminder: flu jabs in the atrium") && page.text.contains("Who can see it: Everyone"));
    assert!(page.text.contains(&canteen_web::uk_time::show(at).1), "the time in UK words");
    let scheduled_at = s.get("/api/v1/scheduled_statuses", Some(&s.token_for("alice", "read").await)).await;
    let minute = |ms: i64| ms / 60_000;
    let stored = chrono::DateTime::parse_from_rfc3339(scheduled_at.json[0]["scheduled_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    assert_eq!(minute(stored), minute(at), "UK time read back to the same minute");

    // Nobody else sees it or can cancel it.
    s.user("bob").await;
    let bob = sign_in(&s, &email("bob")).await;
    assert!(!get(&s, "/scheduled", &bob).await.text.contains("flu jabs"));
    let id = page.text.split("action=\"/scheduled/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let bob_token = csrf_field(&get(&s, "/", &bob).await.text);
    let r = post(&s, &format!("/scheduled/{id}/cancel"), &bob, &[("csrf_token", &bob_token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post(&s, &format!("/scheduled/{id}/cancel"), &alice, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get(&s, "/scheduled?cancelled=1", &alice).await.text.contains("You have no posts waiting to be sent"));
    assert_eq!(s.count("scheduled_statuses").await, 0);
}

async fn lists_of_people_one_follows(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, alice_api) = s.signed_in("alice").await;
    let (_, carol_api) = s.signed_in("carol").await;
    s.user("bob").await;
    s.user("dave").await;
    let follow = s.token_for("bob", "follow").await;
    for who in ["alice", "carol"] {
        let id =
            s.get(&format!("/api/v1/accounts/lookup?acct={who}"), None).await.json["id"].as_str().unwrap().to_string();
        s.form(axum::http::Method::POST, &format!("/api/v1/accounts/{id}/follow"), Some(&follow), &[]).await;
    }
    s.post(&alice_api, json!({"status": "Ward 4 team huddle at 2", "visibility": "public"})).await;
    s.post(&carol_api, json!({"status": "Pharmacy news", "visibility": "public"})).await;
    s.run_jobs().await;
    let bob = sign_in(&s, &email("bob")).await;

    let page = get(&s, "/lists", &bob).await;
    assert!(page.text.contains("You have no lists yet."), "{}", page.text);
    let token = csrf_field(&page.text);
    let r = post(&s, "/lists", &bob, &[("title", "  "), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Title can&#39;t be blank") && r.text.contains("href=\"#title\""), "{}", r.text);
    assert_eq!(s.count("lists").await, 0);
    let r = post(&s, "/lists", &bob, &[("title", "My team"), ("exclusive", "true"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let list_path = r.headers["location"].to_str().unwrap().to_string();
    let list = get(&s, &list_path, &bob).await;
    assert!(list.text.contains("<h1>My team</h1>") && list.text.contains("Nobody yet"), "{}", list.text);

    // Only people bob follows can be added; the reason is given at the field.
    let add = |who: &'static str| {
        let (s, bob, token, path) = (&s, bob.clone(), token.clone(), format!("{list_path}/members"));
        async move { post(s, &path, &bob, &[("account", who), ("csrf_token", &token)]).await }
    };
    let r = add("@dave").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("You can only add people you follow. Follow @dave first."), "{}", r.text);
    assert!(r.text.contains("value=\"@dave\""), "what was typed is kept");
    let r = add("nobody").await;
    assert!(r.text.contains("There is no one called @nobody here"), "{}", r.text);
    assert_eq!(add("@alice").await.status, StatusCode::SEE_OTHER);
    let list = get(&s, &format!("{list_path}?added=1"), &bob).await;
    assert!(list.text.contains("They were added"));
    assert!(list.text.contains("Ward 4 team huddle") && !list.text.contains("Pharmacy news"), "{}", list.text);
    // Exclusive: alice's posts leave bob's home timeline; carol's stay.
    let home = get(&s, "/", &bob).await;
    assert!(!home.text.contains("Ward 4 team huddle") && home.text.contains("Pharmacy news"));

    // Another person's list is not found, and cannot be changed.
    let dave = sign_in(&s, &email("dave")).await;
    assert_eq!(get(&s, &list_path, &dave).await.status, StatusCode::NOT_FOUND);
    let dave_token = csrf_field(&get(&s, "/lists", &dave).await.text);
    let r = post(&s, &format!("{list_path}/delete"), &dave, &[("csrf_token", &dave_token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Settings: rename, not exclusive any more.
    let r = post(
        &s,
        &format!("{list_path}/settings"),
        &bob,
        &[("title", "Ward 4"), ("replies_policy", "none"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let list = get(&s, &list_path, &bob).await;
    assert!(list.text.contains("<h1>Ward 4</h1>") && list.text.contains("value=\"none\" checked"));
    assert!(get(&s, "/", &bob).await.text.contains("Ward 4 team huddle"), "back in Home");

    let alice_id = s.get("/api/v1/accounts/lookup?acct=alice", None).await.json["id"].as_str().unwrap().to_string();
    let r = post(&s, &format!("{list_path}/members/{alice_id}/remove"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get(&s, &list_path, &bob).await.text.contains("Nobody yet"));
    let r = post(&s, &format!("{list_path}/delete"), &bob, &[("csrf_token", &token)]).await;
    assert_eq!(r.headers["location"], "/lists?deleted=1");
    assert_eq!(s.count("lists").await, 0);
    assert_eq!(get(&s, &list_path, &bob).await.status, StatusCode::NOT_FOUND);
}

async fn switching_between_ones_profiles(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    s.user("mallory").await;
    let alice = sign_in(&s, &email("alice")).await;
    let other_browser = sign_in(&s, &email("alice")).await;
    let page = get(&s, "/settings/profiles", &alice).await;
    assert!(page.text.contains("You are using this profile."), "{}", page.text);
    let token = csrf_field(&page.text);

    // A taken username and a missing mode are refused together, nothing made.
    let r = post(&s, "/settings/profiles", &alice, &[("username", "mallory"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Choose how you will use this profile"), "{}", r.text);
    let r = post(
        &s,
        "/settings/profiles",
        &alice,
        &[("username", "mallory"), ("mode", "professional"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Username has already been taken"), "{}", r.text);
    assert_eq!(s.count("accounts").await, 2);

    let r = post(
        &s,
        "/settings/profiles",
        &alice,
        &[
            ("username", "nurse_alice"),
            ("display_name", "Alice (Staff Nurse)"),
            ("mode", "professional"),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = get(&s, "/settings/profiles?switched=1", &alice).await;
    assert!(page.text.contains("You switched profile"));
    assert!(page.text.contains(">Alice (Staff Nurse)</a>"), "the header names the profile in use");
    // Posting now posts as the professional profile; the other browser is still alice.
    let r =
        compose(&s, &alice, &[("status", "Hello from work"), ("visibility", "public"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(get(&s, "/@nurse_alice", "").await.text.contains("Hello from work"));
    assert!(!get(&s, "/@alice", "").await.text.contains("Hello from work"));
    assert!(get(&s, "/settings", &other_browser).await.text.contains("/@alice?view=stranger"));
    // Nothing on the public profile links the two.
    assert!(!get(&s, "/@nurse_alice", "").await.text.contains("@alice\""));

    // Switch back; another login's profile cannot be taken.
    let page = get(&s, "/settings/profiles", &alice).await;
    let alice_id =
        page.text.split("action=\"/settings/profiles/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let r = post(&s, &format!("/settings/profiles/{alice_id}/switch"), &alice, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get(&s, "/settings", &alice).await.text.contains("/@alice?view=stranger"));
    let mallory_id = s.get("/api/v1/accounts/lookup?acct=mallory", None).await.json["id"].as_str().unwrap().to_string();
    let r = post(&s, &format!("/settings/profiles/{mallory_id}/switch"), &alice, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(get(&s, "/settings", &alice).await.text.contains("/@alice?view=stranger"), "unchanged");
    assert_eq!(post(&s, &format!("/settings/profiles/{alice_id}/switch"), &alice, &[]).await.status, 403);
}

async fn profile_tabs_and_hidden_follow_lists(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, bob_api) = s.signed_in("bob").await;
    s.user("alice").await;
    s.user("carol").await;
    let bobs = s.post(&bob_api, json!({"status": "Anyone on the late shift?", "visibility": "public"})).await;
    let alice = sign_in(&s, &email("alice")).await;
    let token = csrf_field(&get(&s, "/", &alice).await.text);
    let send = |pairs: Vec<(&'static str, String)>, image: Option<Vec<u8>>| {
        let (s, alice, token) = (&s, alice.clone(), token.clone());
        async move {
            let mut pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            pairs.push(("visibility", "public"));
            pairs.push(("csrf_token", &token));
            let r = compose_with(s, &alice, &pairs, image.as_deref()).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        }
    };
    send(vec![("status", "A plain post".into())], None).await;
    send(
        vec![("status", "@bob count me in".into()), ("in_reply_to_id", bobs["id"].as_str().unwrap().to_string())],
        None,
    )
    .await;
    send(
        vec![
            ("status", "The new garden".into()),
            ("image_description", "Raised beds".into()),
            ("image_no_patient", "true".into()),
        ],
        Some(support::jpeg_with_gps()),
    )
    .await;
    for who in ["bob", "carol"] {
        let page = get(&s, &format!("/@{who}"), &alice).await;
        let r = post(&s, &format!("/@{who}/follow"), &alice, &[("csrf_token", &csrf_field(&page.text))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }

    let posts = get(&s, "/@alice", "").await;
    assert!(posts.text.contains("aria-current=\"page\">Posts</a>"), "{}", posts.text);
    assert!(posts.text.contains("A plain post") && !posts.text.contains("count me in"), "replies are not on Posts");
    let replies = get(&s, "/@alice?tab=replies", "").await;
    assert!(replies.text.contains("A plain post") && replies.text.contains("count me in"));
    let media = get(&s, "/@alice?tab=media", "").await;
    assert!(media.text.contains("The new garden") && !media.text.contains("A plain post"), "{}", media.text);
    assert!(media.text.contains("alt=\"Raised beds\""), "the picture is shown with its description: {}", media.text);
    assert!(media.text.contains("<img src=\"/system/media/"), "from this server");
    let following = get(&s, "/@alice?tab=following", "").await;
    assert!(following.text.contains("Following (2)") && following.text.contains("Followers (0)"));
    assert!(following.text.contains(">@bob</span>") && following.text.contains(">@carol</span>"), "{}", following.text);
    let followers = get(&s, "/@bob?tab=followers", "").await;
    assert!(followers.text.contains(">@alice</span>"), "{}", followers.text);
    assert_eq!(get(&s, "/@alice?tab=secrets", "").await.status, StatusCode::NOT_FOUND);

    // Hidden follow lists: neither the lists nor the counts, to anyone but alice.
    let alice_api = s.token_for("alice", "write").await;
    let r = s
        .form(
            axum::http::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&alice_api),
            &[("hide_collections", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let carol = sign_in(&s, &email("carol")).await;
    for (who, viewer) in [("signed out", ""), ("carol", carol.as_str())] {
        let page = get(&s, "/@alice?tab=following", viewer).await;
        assert!(page.text.contains("has chosen not to show who follows them"), "{who}: {}", page.text);
        assert!(!page.text.contains(">@bob</span>") && !page.text.contains("Following (2)"), "{who}");
    }
    let own = get(&s, "/@alice?tab=following", &alice).await;
    assert!(own.text.contains(">@bob</span>") && own.text.contains("Following (2)"), "alice still sees her own");
    let stranger = get(&s, "/@alice?tab=following&view=stranger", &alice).await;
    assert!(!stranger.text.contains(">@bob</span>"), "and the stranger view hides it");
    assert!(
        stranger.text.contains("href=\"/@alice?tab=posts&#38;view=stranger\""),
        "tabs keep the stranger view: {}",
        stranger.text
    );
}

/// Opens a live stream page as a browser would (asking for gzip).
async fn live(s: &TestServer, path: &str, cookie: &str) -> axum::body::BodyDataStream {
    use tower::ServiceExt;
    let mut req = axum::http::Request::get(path).header("accept-encoding", "gzip");
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    let res = s.router.clone().oneshot(req.body(axum::body::Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    res.into_body().into_data_stream()
}

async fn live_public_timelines(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, bob_api) = s.signed_in("bob").await;
    s.user("carol").await;
    let carol = sign_in(&s, &email("carol")).await;
    let page = get(&s, "/tags/flu", "").await;
    assert!(page.text.contains("data-live-url=\"/live/tags/flu\" data-live-show=\"/tags/flu\""), "{}", page.text);
    assert!(!get(&s, "/tags/flu?max_id=1", "").await.text.contains("data-live-url"), "not on older pages");

    let mut tag = live(&s, "/live/tags/Flu", "").await;
    let mut local = live(&s, "/live/local", &carol).await;
    // Neither a followers-only post with the tag nor a public one without it is on the tag's
    // page; the public one with the tag is, and the local timeline has both public ones.
    s.post(&bob_api, json!({"status": "Staff #flu clinic moved", "visibility": "private"})).await;
    let untagged = s.post(&bob_api, json!({"status": "Canteen closes early", "visibility": "public"})).await;
    let tagged = s.post(&bob_api, json!({"status": "Free #Flu jabs today", "visibility": "public"})).await;
    s.run_jobs().await;
    let seen = support::sse_read_until(&mut tag, |e, _| e == "post").await;
    let posts: Vec<String> = seen.iter().filter(|(e, _)| e == "post").map(|(_, v)| v.to_string()).collect();
    assert_eq!(posts.len(), 1, "{seen:?}");
    assert!(posts[0].contains(tagged["id"].as_str().unwrap()), "{seen:?}");
    let want = untagged["id"].as_str().unwrap().to_string();
    let seen = support::sse_read_until(&mut local, |e, v| e == "post" && v.to_string().contains(&want)).await;
    let first = seen.iter().find(|(e, _)| e == "post").map(|(_, v)| v.to_string()).unwrap_or_default();
    assert!(first.contains(&want), "the followers-only post is not sent first: {seen:?}");
}

async fn longer_pages_on_request(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, bob_api) = s.signed_in("bob").await;
    for i in 0..45 {
        s.post(&bob_api, json!({"status": format!("Update number {i}"), "visibility": "public"})).await;
    }
    let count = |html: &str| html.matches("<article class=\"nhsuk-card\"").count();
    let page = get(&s, "/local", "").await;
    assert_eq!(count(&page.text), 20, "20 by default");
    let page = get(&s, "/local?limit=40", "").await;
    assert_eq!(count(&page.text), 40);
    let older = page.text.split("href=\"/local?max_id=").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(older.ends_with("&#38;limit=40"), "the next page keeps the size: {older}");
    assert_eq!(count(&get(&s, "/local?limit=500", "").await.text), 40, "at most 40");
    assert_eq!(count(&get(&s, "/local?limit=0", "").await.text), 1, "at least 1");
    assert_eq!(count(&get(&s, "/local?limit=many", "").await.text), 20, "nonsense: the default");
}

async fn voting_in_a_poll(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, bob_api) = s.signed_in("bob").await;
    s.user("alice").await;
    let poll = json!({"options": ["Curry", "Salad"], "expires_in": 3600});
    let public = s.post(&bob_api, json!({"status": "Lunch?", "visibility": "public", "poll": poll})).await;
    let private = s.post(&bob_api, json!({"status": "Team lunch?", "visibility": "private", "poll": poll})).await;
    let poll_id = public["poll"]["id"].as_str().unwrap().to_string();
    let hidden_poll = private["poll"]["id"].as_str().unwrap().to_string();
    let alice = sign_in(&s, &email("alice")).await;

    let page = get(&s, "/local", &alice).await;
    assert!(page.text.contains(&format!("action=\"/polls/{poll_id}/vote\"")), "{}", page.text);
    assert!(page.text.contains("type=\"radio\" value=\"1\""), "one choice: radios");
    let token = csrf_field(&page.text);
    let path = format!("/polls/{poll_id}/vote");
    assert_eq!(post(&s, &path, &alice, &[("choices", "1")]).await.status, StatusCode::FORBIDDEN, "needs the token");
    let r = post(&s, &path, &alice, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Choose an option"), "{}", r.text);
    let r = post(&s, &path, &alice, &[("choices", "1"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], format!("/#poll-{poll_id}"));
    let page = get(&s, "/local", &alice).await;
    assert!(
        page.text.contains("<strong>100%</strong> Salad <span class=\"canteen-poll__note\">(your choice)</span>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("1 person voted"));
    let r = post(&s, &path, &alice, &[("choices", "0"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("You have already voted in this poll"), "{}", r.text);
    let api = s.get(&format!("/api/v1/polls/{poll_id}"), None).await;
    assert_eq!(api.json["options"][1]["votes_count"], 1, "one vote counted: {}", api.text);
    // A poll on a post alice may not see is not found; signed out, only the results show.
    let r = post(&s, &format!("/polls/{hidden_poll}/vote"), &alice, &[("choices", "0"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let anonymous = get(&s, "/local", "").await;
    assert!(anonymous.text.contains("Salad") && !anonymous.text.contains("/vote\""), "{}", anonymous.text);
}

backend_tests!(
    voting_in_a_poll,
    longer_pages_on_request,
    live_public_timelines,
    profile_tabs_and_hidden_follow_lists,
    switching_between_ones_profiles,
    like_repost_and_bookmark,
    replying_from_a_thread,
    scheduling_for_a_chosen_time,
    lists_of_people_one_follows
);
