//! The web app (crates/web) through the real router: sign-in and sign-out with sessions and
//! CSRF, the home timeline under the audience rule, the public profile page, the bundled
//! assets and the security headers. Each test runs on SQLite and PostgreSQL.

use crate::support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use support::{Backend, Resp, TestServer};

pub(crate) const PASSWORD: &str = "a good password";

/// Sends `method path` with an optional `Cookie` header and form body.
pub(crate) async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> Resp {
    let mut b = Request::builder().method(method).uri(path);
    if !cookie.is_empty() {
        b = b.header("cookie", cookie);
    }
    let body = match form {
        Some(pairs) => {
            b = b.header("content-type", "application/x-www-form-urlencoded");
            Body::from(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
        }
        None => Body::empty(),
    };
    s.send(b.body(body).unwrap()).await
}

pub(crate) async fn get(s: &TestServer, path: &str, cookie: &str) -> Resp {
    send(s, Method::GET, path, cookie, None).await
}

pub(crate) async fn post(s: &TestServer, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
    send(s, Method::POST, path, cookie, Some(form)).await
}

/// The `Set-Cookie` header that sets `name`, if any.
pub(crate) fn set_cookie(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// `name=value` from a `Set-Cookie` header, ready for a `Cookie` header.
pub(crate) fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

/// The value of the hidden `csrf_token` field in a page.
pub(crate) fn csrf_field(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").expect("a csrf_token field") + 25;
    html[at..].split('"').next().unwrap().to_string()
}

/// Opens the sign-in page: (the form cookie as `name=value`, the form's token).
pub(crate) async fn sign_in_form(s: &TestServer) -> (String, String) {
    let r = get(s, "/sign-in", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cookie = cookie_pair(&set_cookie(&r, "canteen_csrf").expect("a form cookie"));
    (cookie, csrf_field(&r.text))
}

/// Signs in through the form; returns the session cookie as `name=value`.
pub(crate) async fn sign_in(s: &TestServer, email: &str) -> String {
    let (cookie, token) = sign_in_form(s).await;
    let r = post(s, "/sign-in", &cookie, &[("email", email), ("password", PASSWORD), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    cookie_pair(&set_cookie(&r, "canteen_session").expect("a session cookie"))
}

pub(crate) fn email(username: &str) -> String {
    format!("{username}@example.nhs.uk")
}

async fn sign_in_success_and_failure(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;

    // The form: NHS layout, labelled fields, a token in a cookie and a hidden field.
    let r = get(&s, "/sign-in", "").await;
    assert!(r.text.contains("<html lang=\"en-GB\">"));
    assert!(r.text.contains("href=\"#maincontent\""), "a skip link");
    assert!(r.text.contains("<label class=\"nhsuk-label\" for=\"email\">"));
    let form_cookie = set_cookie(&r, "canteen_csrf").unwrap();
    assert!(form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Lax"), "{form_cookie}");
    let (cookie, token) = (cookie_pair(&form_cookie), csrf_field(&r.text));

    // Wrong password: an error summary linking to the field, no session.
    let r = post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", "wrong"), ("csrf_token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("nhsuk-error-summary"), "{}", r.text);
    assert!(r.text.contains("<a href=\"#email\">Enter a correct email address and password</a>"), "{}", r.text);
    assert!(r.text.contains("<title>Error: Sign in – Canteen</title>"));
    assert!(r.text.contains("value=\"alice@example.nhs.uk\""), "the email is kept");
    assert!(set_cookie(&r, "canteen_session").is_none());
    // Unknown email: the same answer.
    let r = post(
        &s,
        "/sign-in",
        &cookie,
        &[("email", "nobody@example.nhs.uk"), ("password", PASSWORD), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Enter a correct email address and password"));
    // Empty fields: one error per field, each linking to it.
    let r = post(&s, "/sign-in", &cookie, &[("email", ""), ("password", ""), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("<a href=\"#email\">Enter your email address</a>"), "{}", r.text);
    assert!(r.text.contains("<a href=\"#password\">Enter your password</a>"));
    assert!(r.text.contains("id=\"password-error\""));
    assert!(set_cookie(&r, "canteen_session").is_none());
    assert_eq!(s.count("web_sessions").await, 0);

    // Success: a session cookie (HttpOnly, Lax, Secure as public_url is https), then home.
    let r =
        post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", PASSWORD), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], "/");
    let session = set_cookie(&r, "canteen_session").unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(part), "{session} lacks {part}");
    }
    assert_eq!(s.count("web_sessions").await, 1);
    let session = cookie_pair(&session);
    let r = get(&s, "/", &session).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("<h1>Home</h1>"), "{}", r.text);
    assert!(r.text.contains("action=\"/sign-out\""));
    // Signed in, the sign-in page sends you home.
    assert_eq!(get(&s, "/sign-in", &session).await.status, StatusCode::SEE_OTHER);
    // A made-up session cookie is no one.
    let r = get(&s, "/", &format!("canteen_session={}", "x".repeat(43))).await;
    assert!(r.text.contains("Sign in") && !r.text.contains("action=\"/sign-out\""));

    // A suspended login cannot sign in, and its live session stops working.
    canteen_app::admin::suspend(&s.app, "alice").await.unwrap();
    let r = get(&s, "/", &session).await;
    assert!(!r.text.contains("action=\"/sign-out\""), "a suspended login's session must end");
    let r =
        post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", PASSWORD), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("nhsuk-error-summary"));
    assert!(set_cookie(&r, "canteen_session").is_none());
}

async fn session_cookie_is_not_secure_over_plain_http(backend: Backend) {
    let s = TestServer::with(backend, |c| c.public_url = "http://canteen.test".into(), support::relaxed_limits()).await;
    s.user("alice").await;
    let (cookie, token) = sign_in_form(&s).await;
    let r =
        post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", PASSWORD), ("csrf_token", &token)])
            .await;
    let session = set_cookie(&r, "canteen_session").unwrap();
    assert!(session.contains("HttpOnly") && !session.contains("Secure"), "{session}");
}

async fn forms_without_the_right_token_are_refused(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let (cookie, token) = sign_in_form(&s).await;
    let creds = |t: &'static str| [("email", "alice@example.nhs.uk"), ("password", PASSWORD), ("csrf_token", t)];

    // Sign-in: no token, a wrong token, a token without its cookie.
    let r = post(&s, "/sign-in", &cookie, &[("email", "alice@example.nhs.uk"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("Your form could not be sent"), "{}", r.text);
    assert!(r.text.contains("Go back, refresh the page and try again"));
    assert_eq!(post(&s, "/sign-in", &cookie, &creds("not-the-token")).await.status, StatusCode::FORBIDDEN);
    let r =
        post(&s, "/sign-in", "", &[("email", "alice@example.nhs.uk"), ("password", PASSWORD), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&r, "canteen_session").is_none());
    assert_eq!(s.count("web_sessions").await, 0);

    // Sign-out must carry the session's token: the form cookie's token is not it.
    let session = sign_in(&s, "alice@example.nhs.uk").await;
    let both = format!("{session}; {cookie}");
    for bad in ["", "wrong", token.as_str()] {
        let r = post(&s, "/sign-out", &both, &[("csrf_token", bad)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {bad:?}");
        assert!(r.text.contains("Your form could not be sent"));
    }
    assert_eq!(s.count("web_sessions").await, 1);
    assert!(get(&s, "/", &session).await.text.contains("action=\"/sign-out\""), "still signed in");
}

async fn sign_out_ends_the_session(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let session = sign_in(&s, "alice@example.nhs.uk").await;
    let home = get(&s, "/", &session).await;
    let token = csrf_field(&home.text);
    let r = post(&s, "/sign-out", &session, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let cleared = set_cookie(&r, "canteen_session").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(s.count("web_sessions").await, 0);
    // The old cookie no longer signs anyone in.
    let r = get(&s, "/", &session).await;
    assert!(r.text.contains("Welcome to Canteen"), "{}", r.text);
    assert!(!r.text.contains("action=\"/sign-out\""));
}

async fn home_shows_followed_posts_within_the_audience(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, alice) = s.signed_in("alice").await;
    let (bob_account, bob) = s.signed_in("bob").await;
    let (_, carol) = s.signed_in("carol").await;
    let r =
        s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", bob_account.id.0), Some(&alice), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    s.post(&bob, json!({"status": "Shift swap board is up <b>today</b>", "visibility": "public"})).await;
    s.post(&bob, json!({"status": "Bob for followers", "visibility": "private"})).await;
    let secret = s.post(&carol, json!({"status": "Carol for her followers only", "visibility": "private"})).await;
    s.run_jobs().await;
    // Even if a row for carol's post reached alice's feed, the audience rule keeps it out.
    let alice_id: i64 = s.json(Method::GET, "/api/v1/accounts/verify_credentials", Some(&alice), json!({})).await.json
        ["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    s.exec_sql(&format!(
        "INSERT INTO home_feed (account_id, status_id) VALUES ({alice_id}, {})",
        secret["id"].as_str().unwrap()
    ))
    .await;

    let session = sign_in(&s, "alice@example.nhs.uk").await;
    let r = get(&s, "/", &session).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Shift swap board is up &lt;b&gt;today&lt;/b&gt;"), "escaped: {}", r.text);
    assert!(r.text.contains("Bob for followers"));
    assert!(r.text.contains("href=\"/@bob\""), "the author links to the profile");
    assert!(r.text.contains("<time datetime=\""), "a time");
    assert!(!r.text.contains("Carol for her followers only"), "outside alice's audience: {}", r.text);
    assert!(!r.text.contains("Older posts"), "one page only");

    // Twenty posts a page; "Older posts" pages back with max_id.
    for i in 0..21 {
        s.post(&bob, json!({"status": format!("Numbered post {i:02}."), "visibility": "public"})).await;
    }
    s.run_jobs().await;
    let r = get(&s, "/", &session).await;
    assert_eq!(r.text.matches("<article").count(), 20);
    assert!(r.text.contains("Numbered post 20."));
    assert!(!r.text.contains("Numbered post 00."));
    let at = r.text.find("href=\"/?max_id=").expect("an Older posts link") + 6;
    let older = r.text[at..].split('"').next().unwrap().to_string();
    let r = get(&s, &older, &session).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Numbered post 00."), "{}", r.text);
    assert!(r.text.contains("Shift swap board"));
    assert!(!r.text.contains("Numbered post 20."));
    assert!(!r.text.contains("Carol for her followers only"));
}

async fn profile_page_shows_public_posts_only(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (bob_account, bob) = s.signed_in("bob").await;
    let (_, alice) = s.signed_in("alice").await;
    let r = s
        .form(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&bob),
            &[("display_name", "Bob Nurse"), ("note", "Ward 7 & <b>night</b> shifts")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    s.json(Method::POST, &format!("/api/v1/accounts/{}/follow", bob_account.id.0), Some(&alice), json!({})).await;
    s.post(&bob, json!({"status": "A public hello", "visibility": "public"})).await;
    s.post(&bob, json!({"status": "Followers hear this", "visibility": "private"})).await;
    s.post(&bob, json!({"status": "@alice just you", "visibility": "direct"})).await;
    s.post(&bob, json!({"status": "Only mutuals", "visibility": "mutuals"})).await;
    s.run_jobs().await;

    // Signed out: public posts only. Signed in as a follower: the followers-only post too,
    // never the mutuals-only one (they are not mutuals).
    let session = sign_in(&s, "alice@example.nhs.uk").await;
    for cookie in ["", session.as_str()] {
        let r = get(&s, "/@bob", cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("<h1 class=\"nhsuk-u-margin-bottom-2\">Bob Nurse</h1>"), "{}", r.text);
        assert!(r.text.contains("@bob@canteen.test"));
        assert!(r.text.contains("Ward 7 ") && r.text.contains("night"), "the bio: {}", r.text);
        assert!(!r.text.contains("<b>night"), "the bio is escaped");
        assert!(r.text.contains("A public hello"));
        assert!(!r.text.contains("Only mutuals"), "mutuals-only shown on the profile");
        assert_eq!(r.text.contains("Followers hear this"), !cookie.is_empty(), "{}", r.text);
        if cookie.is_empty() {
            assert!(!r.text.contains("just you"), "a direct post shown to the public");
        }
    }

    // Unknown and suspended profiles: the 404 page.
    let r = get(&s, "/@nobody", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("Page not found"));
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    canteen_app::admin::suspend(&s.app, "bob").await.unwrap();
    let r = get(&s, "/@bob", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text.contains("A public hello"));
}

async fn assets_are_served_with_their_types(backend: Backend) {
    let s = TestServer::new(backend).await;
    let page = get(&s, "/sign-in", "").await;
    // Every stylesheet, script and icon the layout names is served, with its type.
    let mut urls: Vec<String> = Vec::new();
    for attr in ["href=\"/assets/", "src=\"/assets/"] {
        for part in page.text.split(attr).skip(1) {
            urls.push(format!("/assets/{}", part.split('"').next().unwrap()));
        }
    }
    assert!(urls.len() >= 5, "{urls:?}");
    for url in &urls {
        let r = get(&s, url, "").await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        let want = match url.rsplit_once('.').unwrap().1 {
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            other => panic!("unexpected asset type {other}"),
        };
        assert_eq!(r.headers["content-type"], want, "{url}");
        assert_eq!(r.headers["cache-control"], "public, max-age=31536000, immutable", "{url}");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
    }
    let css = urls.iter().find(|u| u.contains("nhsuk-frontend.min.css")).expect("the NHS stylesheet");
    assert!(get(&s, css, "").await.text.contains(".nhsuk-header"));
    let r = get(&s, "/assets/nhsuk/10.6.1/images/nhsuk-icon-cross.svg", "").await;
    assert_eq!(r.headers["content-type"], "image/svg+xml");
    assert_eq!(get(&s, "/assets/nhsuk/10.6.1/missing.css", "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&s, "/assets/../Cargo.toml", "").await.status, StatusCode::NOT_FOUND);
}

async fn every_page_has_the_security_headers(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, bob) = s.signed_in("bob").await;
    s.post(&bob, json!({"status": "Hello", "visibility": "public"})).await;
    let session = sign_in(&s, "bob@example.nhs.uk").await;
    let (form_cookie, _) = sign_in_form(&s).await;
    let pages = [
        get(&s, "/", "").await,
        get(&s, "/", &session).await,
        get(&s, "/sign-in", "").await,
        get(&s, "/sign-up", "").await,
        get(&s, "/@bob", "").await,
        get(&s, "/@nobody", "").await,
        post(&s, "/sign-in", &form_cookie, &[("email", "x")]).await,
    ];
    for r in &pages {
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert_eq!(r.headers["referrer-policy"], "same-origin");
        assert_eq!(r.headers["x-frame-options"], "DENY");
        assert_eq!(r.headers["cache-control"], "no-store");
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        // The NHS layout, and no inline script or style anywhere.
        assert!(r.text.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"), "{}", r.text);
        assert!(r.text.contains("class=\"nhsuk-header") && r.text.contains("class=\"nhsuk-footer\""));
        assert!(r.text.contains("<main class=\"nhsuk-main-wrapper\" id=\"maincontent\">"));
        for script in r.text.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap();
            assert!(tag.contains(" src=\"/assets/"), "inline script: <script{tag}>");
            assert!(script[tag.len() + 1..].starts_with("</script>"), "a script with a body");
        }
        assert!(!r.text.contains(" style=\"") && !r.text.contains("<style"), "inline style");
        assert!(!has_inline_handler(&r.text), "an inline event handler");
    }
    // The signed-out welcome links to sign-in and sign-up, and both pages exist.
    assert!(pages[0].text.contains("href=\"/sign-in\"") && pages[0].text.contains("href=\"/sign-up\""));
    assert_eq!(pages[3].status, StatusCode::OK);
    assert!(pages[3].text.contains("action=\"/sign-up\""));
}

/// Whether any attribute is an inline event handler (` onclick=`, ` onload=`, …).
fn has_inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase()).collect();
        !name.is_empty() && rest[name.len()..].starts_with('=')
    })
}

backend_tests!(
    sign_in_success_and_failure,
    session_cookie_is_not_secure_over_plain_http,
    forms_without_the_right_token_are_refused,
    sign_out_ends_the_session,
    home_shows_followed_posts_within_the_audience,
    profile_page_shows_public_posts_only,
    assets_are_served_with_their_types,
    every_page_has_the_security_headers,
);

/// The search page: tabs for posts, people and hashtags, the audience rule (a followers-only
/// post is found by a follower only), and a query it cannot understand explained beside the box.
async fn search_page_finds_what_the_viewer_may_see(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, author) = s.signed_in("author").await;
    let (_, reader) = s.signed_in("reader").await;
    s.post(&author, json!({"status": "Sarcoma support group on Thursday #SarcomaUK"})).await;
    s.post(&author, json!({"status": "Sarcoma rota for staff only", "visibility": "private"})).await;
    s.run_jobs().await;

    let page = get(&s, "/search?q=sarcoma", "").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Sarcoma support group"), "{}", page.text);
    assert!(!page.text.contains("staff only"), "a followers-only post is not shown to a visitor");
    assert!(page.text.contains("aria-current=\"page\""), "the current tab is marked");

    let cookie = sign_in(&s, "reader@example.nhs.uk").await;
    let author_id = s.get("/api/v1/accounts/lookup?acct=author", None).await.json["id"].as_str().unwrap().to_string();
    s.json(Method::POST, &format!("/api/v1/accounts/{author_id}/follow"), Some(&reader), json!({})).await;
    let page = get(&s, "/search?q=sarcoma", &cookie).await;
    assert!(page.text.contains("staff only"), "a follower finds it: {}", page.text);

    let people = get(&s, "/search?q=auth&type=accounts", "").await;
    assert!(people.text.contains("href=\"/@author\""), "{}", people.text);
    let tags = get(&s, "/search?q=%23sarc&type=hashtags", "").await;
    assert!(tags.text.contains("#sarcomauk") && tags.text.contains("1 public posts this week"), "{}", tags.text);

    let bad = get(&s, "/search?q=has:cats", "").await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("There is a problem") && bad.text.contains("has: can be media, poll or link"));
    let empty = get(&s, "/search", "").await;
    assert_eq!(empty.status, 200);
    assert!(empty.text.contains("<label class=\"nhsuk-label\" for=\"q\">"));
}

backend_tests!(search_page_finds_what_the_viewer_may_see);
