//! The privacy matrix: every kind of viewer × every audience × every read path and stream,
//! in the API and in the web app's pages. Each cell states, independently of the code under
//! test, whether the post is shown.

use crate::support;

use std::collections::{BTreeMap, HashSet};

use axum::http::Method;
use serde_json::{Value, json};
use support::{Backend, TestServer};

const VIEWERS: [&str; 10] =
    ["anonymous", "stranger", "follower", "pending", "mutual", "circle", "mentioned", "blocked", "muted", "author"];
const AUDIENCES: [&str; 6] = ["public", "unlisted", "private", "direct", "mutuals", "circle"];

/// May this viewer see a post with this audience at all (by id)?
fn may_see(viewer: &str, audience: &str) -> bool {
    let row: [u8; 10] = match audience {
        //           anon str fol pen mut cir men blk mut aut
        "public" => [1, 1, 1, 1, 1, 1, 1, 0, 1, 1],
        "unlisted" => [1, 1, 1, 1, 1, 1, 1, 0, 1, 1],
        "private" => [0, 0, 1, 0, 1, 0, 1, 0, 1, 1],
        "direct" => [0, 0, 0, 0, 0, 0, 1, 0, 0, 1],
        "mutuals" => [0, 0, 0, 0, 1, 0, 1, 0, 0, 1],
        "circle" => [0, 0, 0, 0, 0, 1, 1, 0, 0, 1],
        _ => unreachable!(),
    };
    row[VIEWERS.iter().position(|v| *v == viewer).unwrap()] == 1
}

/// Does it reach this viewer's home timeline? Followers, the mentioned, circle members
/// (for circle posts) and the author — never a muter, never outside the audience.
fn in_home(viewer: &str, audience: &str) -> bool {
    let receives = match viewer {
        "follower" | "mutual" | "mentioned" | "author" => true,
        "circle" => audience == "circle",
        _ => false,
    };
    receives && may_see(viewer, audience)
}

/// Listed on the public and hashtag timelines for this viewer?
fn listed(viewer: &str, audience: &str) -> bool {
    audience == "public" && may_see(viewer, audience) && viewer != "muted"
}

/// Found by a full-text search? Public posts of an indexable author by anyone; other posts
/// only by those who may see them and hold a key to them (followers, the mentioned, circle
/// members, the author) — never by a muter, never outside the audience.
fn searchable(viewer: &str, audience: &str) -> bool {
    let holds_key = match audience {
        "public" => true,
        "unlisted" | "private" | "mutuals" => matches!(viewer, "follower" | "mutual" | "mentioned" | "author"),
        "circle" => matches!(viewer, "circle" | "mentioned" | "author"),
        "direct" => matches!(viewer, "mentioned" | "author"),
        _ => unreachable!(),
    };
    holds_key && may_see(viewer, audience) && viewer != "muted"
}

fn ids(v: &Value) -> HashSet<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s["id"].as_str().map(String::from)).collect()).unwrap_or_default()
}

async fn privacy_matrix(b: Backend) {
    matrix(TestServer::new(b).await).await
}

/// The same matrix with every author pulled (decision 0004's hybrid fan-out at threshold 0):
/// home timelines merge the author's posts in at read time and user streams get them as
/// `Event::Followers`, and every cell must come out the same.
async fn privacy_matrix_pulled(b: Backend) {
    matrix(TestServer::with(b, |c| c.home_feed_pull_threshold = 0, support::relaxed_limits()).await).await
}

async fn matrix(s: TestServer) {
    let mut tok: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut acct: BTreeMap<&str, String> = BTreeMap::new();
    tok.insert("anonymous", None);
    for v in VIEWERS.iter().filter(|v| **v != "anonymous") {
        let (a, t) = s.signed_in(v).await;
        acct.insert(v, a.id.to_string());
        tok.insert(v, Some(t));
    }
    let t = |v: &str| tok[v].clone();
    let author = acct["author"].clone();
    let at = t("author").unwrap();
    s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&at), json!({"locked": true})).await;
    for v in ["follower", "pending", "mutual", "blocked", "muted"] {
        let r = s
            .json(Method::POST, &format!("/api/v1/accounts/{author}/follow"), t(v).as_deref(), json!({"notify": true}))
            .await;
        assert_eq!(r.json["requested"], true, "{v}: {}", r.text);
    }
    for v in ["follower", "mutual", "blocked", "muted"] {
        let r =
            s.json(Method::POST, &format!("/api/v1/follow_requests/{}/authorize", acct[v]), Some(&at), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    for v in ["mutual", "circle"] {
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", acct[v]), Some(&at), json!({})).await;
    }
    let list = s.json(Method::POST, "/api/v1/lists", Some(&at), json!({"title": "Close colleagues"})).await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s
        .json(
            Method::POST,
            &format!("/api/v1/lists/{list}/accounts"),
            Some(&at),
            json!({"account_ids": [acct["circle"]]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.json(Method::POST, &format!("/api/v1/accounts/{}/block", acct["blocked"]), Some(&at), json!({})).await;
    s.json(Method::POST, &format!("/api/v1/accounts/{author}/mute"), t("muted").as_deref(), json!({})).await;

    // Streams opened before anything is posted: user (signed in), public and hashtag (everyone).
    let mut streams = Vec::new();
    for v in VIEWERS {
        let tv = t(v);
        if tv.is_some() {
            streams.push((v, "user stream", support::sse_open(&s, "/api/v1/streaming/user", tv.as_deref()).await));
        }
        streams.push((v, "public stream", support::sse_open(&s, "/api/v1/streaming/public", tv.as_deref()).await));
        streams.push((
            v,
            "hashtag stream",
            support::sse_open(&s, "/api/v1/streaming/hashtag?tag=matrix", tv.as_deref()).await,
        ));
    }
    // The web app: a browser session for each signed-in viewer, and its live streams (home
    // when signed in; this server's and the hashtag's timelines for everyone).
    let mut cookie: BTreeMap<&str, String> = BTreeMap::new();
    cookie.insert("anonymous", String::new());
    for v in VIEWERS.iter().filter(|v| **v != "anonymous") {
        let c = crate::web::sign_in(&s, &crate::web::email(v)).await;
        streams.push((v, "web live home", web_live(&s, "/live/home", &c).await));
        cookie.insert(v, c);
    }
    for v in VIEWERS {
        streams.push((v, "web live local", web_live(&s, "/live/local", &cookie[v]).await));
        streams.push((v, "web live hashtag", web_live(&s, "/live/tags/matrix", &cookie[v]).await));
    }
    // They listen until every post and its fan-out is done (then a moment more).
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let collectors: Vec<_> = streams
        .into_iter()
        .map(|(v, name, stream)| {
            let stopped = stopped.clone();
            tokio::spawn(async move { (v, name, support::sse_collect_until(stream, stopped).await) })
        })
        .collect();

    let root = s.post(&at, json!({"status": "Thread root #matrix"})).await["id"].as_str().unwrap().to_string();
    let mut post_of: BTreeMap<&str, String> = BTreeMap::new();
    for aud in AUDIENCES {
        let canteen = if aud == "circle" { format!("circle:{list}") } else { aud.to_string() };
        let p = s.post(&at, json!({"status": format!("@mentioned {aud} post #matrix"), "canteen_visibility": canteen, "in_reply_to_id": root})).await;
        assert_eq!(p["canteen_visibility"], canteen.as_str());
        post_of.insert(aud, p["id"].as_str().unwrap().to_string());
        // The author likes each, so favourited_by has something to leak.
        s.json(Method::POST, &format!("/api/v1/statuses/{}/favourite", post_of[aud]), Some(&at), json!({})).await;
    }
    s.run_jobs().await;
    stop.send_replace(true);

    let mut failures = Vec::new();
    for v in VIEWERS {
        let tv = t(v);
        let tv = tv.as_deref();
        let context = ids(&s.get(&format!("/api/v1/statuses/{root}/context"), tv).await.json["descendants"]);
        let profile = ids(&s.get(&format!("/api/v1/accounts/{author}/statuses?limit=40"), tv).await.json);
        let home =
            if tv.is_some() { ids(&s.get("/api/v1/timelines/home?limit=40", tv).await.json) } else { HashSet::new() };
        let public = ids(&s.get("/api/v1/timelines/public?limit=40", tv).await.json);
        let tag = ids(&s.get("/api/v1/timelines/tag/matrix?limit=40", tv).await.json);
        let found = s.get("/api/v2/search?q=post&type=statuses&limit=40", tv).await;
        assert_eq!(found.status, 200, "{v}: {}", found.text);
        let found = ids(&found.json["statuses"]);
        let found_newest =
            ids(&s.get("/api/v2/search?q=post&type=statuses&limit=40&sort=newest", tv).await.json["statuses"]);
        let notified: HashSet<String> = if tv.is_some() {
            s.get("/api/v1/notifications?limit=40", tv)
                .await
                .json
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|n| n["status"]["id"].as_str().map(String::from))
                .collect()
        } else {
            HashSet::new()
        };
        let c = cookie[v].as_str();
        let web_profile = crate::web::get(&s, "/@author", c).await.text;
        let web_thread = crate::web::get(&s, &format!("/@author/{root}"), c).await.text;
        let web_home = if c.is_empty() { String::new() } else { crate::web::get(&s, "/", c).await.text };
        let web_local = crate::web::get(&s, "/local", c).await.text;
        let web_tag = crate::web::get(&s, "/tags/matrix", c).await.text;
        let web_notifications =
            if c.is_empty() { String::new() } else { crate::web::get(&s, "/notifications", c).await.text };
        let web_replies_tab = crate::web::get(&s, "/@author?tab=replies", c).await.text;
        // Each signed-in viewer tries to bookmark every post (by id, as a hand-made form could):
        // only those they may see are kept, and their bookmarks page shows only those.
        let web_bookmarks = if c.is_empty() {
            String::new()
        } else {
            let token = crate::web::csrf_field(&web_home);
            for aud in AUDIENCES {
                let r =
                    crate::web::post(&s, &format!("/posts/{}/bookmark", post_of[aud]), c, &[("csrf_token", &token)])
                        .await;
                let want = if may_see(v, aud) { 303 } else { 404 };
                if r.status != want {
                    failures.push(format!("{v} × {aud} × web bookmark button: status {}, expected {want}", r.status));
                }
            }
            crate::web::get(&s, "/bookmarks", c).await.text
        };
        for aud in AUDIENCES {
            let id = &post_of[aud];
            let see = may_see(v, aud);
            let on = |html: &str| html.contains(&format!("id=\"post-{id}\""));
            let mut check = |what: &str, shown: bool, want: bool| {
                if shown != want {
                    failures.push(format!("{v} × {aud} × {what}: shown={shown}, expected {want}"));
                }
            };
            let single = s.get(&format!("/api/v1/statuses/{id}"), tv).await;
            check("GET status", single.status == 200, see);
            if single.status != 200 {
                assert_eq!(single.error(404), "Record not found", "invisible looks like missing");
            }
            let fav_by = s.get(&format!("/api/v1/statuses/{id}/favourited_by"), tv).await;
            check("favourited_by", fav_by.status == 200, see);
            check("context", context.contains(id), see);
            // A muted author still shows on their own profile, as in Mastodon.
            check("account statuses", profile.contains(id), see);
            if tv.is_some() {
                check("home", home.contains(id), in_home(v, aud));
            }
            check("public timeline", public.contains(id), listed(v, aud));
            check("hashtag timeline", tag.contains(id), listed(v, aud));
            check("search", found.contains(id), searchable(v, aud));
            check("search, newest first", found_newest.contains(id), searchable(v, aud));
            // Notifications: the mentioned person hears of every post; followers who asked to
            // be notified hear of those they may see; nobody hears of one they may not see.
            if notified.contains(id) {
                check("notification about it", true, see);
            }
            if v == "mentioned" {
                check("mention notification", notified.contains(id), true);
            }
            // The web app's pages, read as this viewer's browser session.
            let own_page = crate::web::get(&s, &format!("/@author/{id}"), c).await;
            check("web post page", own_page.status == 200 && on(&own_page.text), see);
            check("web thread replies", on(&web_thread), see);
            check("web profile", on(&web_profile), see);
            check("web profile, posts and replies", on(&web_replies_tab), see);
            if !c.is_empty() {
                check("web bookmarks page", on(&web_bookmarks), see);
            }
            if !c.is_empty() {
                check("web home", on(&web_home), in_home(v, aud));
            }
            check("web local timeline", on(&web_local), listed(v, aud));
            check("web hashtag page", on(&web_tag), listed(v, aud));
            if on(&web_notifications) {
                check("web notification about it", true, see);
            }
        }
    }
    for c in collectors {
        let (v, name, events) = c.await.unwrap();
        let updates: HashSet<String> = events
            .iter()
            .filter(|(e, _)| e == "update" || e == "post")
            .filter_map(|(_, p)| match p {
                // The web stream sends the bare id, which reads as a number.
                Value::Number(n) => Some(n.to_string()),
                _ => p["id"].as_str().map(String::from),
            })
            .collect();
        for aud in AUDIENCES {
            let shown = updates.contains(&post_of[aud]);
            // Every other stream is a listed timeline's (the author is local, so the web's
            // local stream has the same rule).
            let want = if name == "user stream" || name == "web live home" { in_home(v, aud) } else { listed(v, aud) };
            if shown != want {
                failures.push(format!("{v} × {aud} × {name}: shown={shown}, expected {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} privacy cells wrong:\n{}", failures.len(), failures.join("\n"));
}

/// One of the web app's live streams (`/live/home`, `/live/local`, …) for a browser session
/// (an empty cookie: signed out).
async fn web_live(s: &TestServer, path: &str, cookie: &str) -> axum::body::BodyDataStream {
    use tower::ServiceExt;
    let mut req = axum::http::Request::get(path);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    let req = req.body(axum::body::Body::empty()).unwrap();
    let res = s.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), 200);
    res.into_body().into_data_stream()
}

backend_tests!(privacy_matrix, privacy_matrix_pulled);
