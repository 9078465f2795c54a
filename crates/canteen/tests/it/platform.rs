//! Instance metadata, NodeInfo, rate limits, CORS, body limits, metrics and request ids.

use crate::support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request};
use canteen_api::ratelimit::RateLimits;
use serde_json::json;
use support::{Backend, TestServer, relaxed_limits};

async fn instance_v1_v2_and_rules(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    canteen_app::admin::add_rule(&s.app, "No patient information, ever.", "Not even initials.").await.unwrap();
    for path in ["/api/v1/instance", "/api/v1/instance/"] {
        let r = s.get(path, None).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.json["uri"], "canteen.test");
        assert!(r.json["version"].as_str().unwrap().starts_with("4.3.0 (compatible; Canteen"));
        assert_eq!(r.json["configuration"]["statuses"]["max_characters"], 500);
        assert_eq!(r.json["configuration"]["statuses"]["characters_reserved_per_url"], 23);
        assert_eq!(r.json["stats"]["user_count"], 1);
        assert_eq!(r.json["urls"]["streaming_api"], "wss://canteen.test");
        assert_eq!(r.json["registrations"], true);
    }
    for path in ["/api/v2/instance", "/api/v2/instance/"] {
        let r = s.get(path, None).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.json["domain"], "canteen.test");
        assert_eq!(r.json["api_versions"]["mastodon"], 2);
        assert_eq!(r.json["configuration"]["statuses"]["max_characters"], 500);
        assert_eq!(r.json["configuration"]["urls"]["streaming"], "wss://canteen.test");
        assert_eq!(r.json["registrations"]["enabled"], true);
        assert_eq!(r.json["rules"][0]["text"], "No patient information, ever.");
    }
    let rules = s.get("/api/v1/instance/rules", None).await;
    assert_eq!(rules.json[0]["hint"], "Not even initials.");
    assert!(canteen_app::admin::add_rule(&s.app, "  ", "").await.is_err());

    let limited = TestServer::with(b, |c| c.max_post_chars = 1000, relaxed_limits()).await;
    assert_eq!(limited.get("/api/v2/instance", None).await.json["configuration"]["statuses"]["max_characters"], 1000);
}

async fn nodeinfo(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let links = s.get("/.well-known/nodeinfo", None).await;
    assert_eq!(links.json["links"][0]["href"], "https://canteen.test/nodeinfo/2.1");
    assert_eq!(links.json["links"][0]["rel"], "http://nodeinfo.diaspora.software/ns/schema/2.1");
    let ni = s.get("/nodeinfo/2.1", None).await;
    assert_eq!(ni.json["version"], "2.1");
    assert_eq!(ni.json["software"]["name"], "canteen");
    assert_eq!(ni.json["protocols"], json!(["activitypub"]));
    assert_eq!(ni.json["usage"]["users"]["total"], 1);
    assert_eq!(ni.json["openRegistrations"], true);
    assert!(ni.headers["content-type"].to_str().unwrap().contains("nodeinfo.diaspora.software/ns/schema/2.1"));
}

async fn preferences(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, token) = s.signed_in("alice").await;
    let r = s.get("/api/v1/preferences", Some(&token)).await;
    assert_eq!(r.json["posting:default:visibility"], "public");
    assert_eq!(r.json["posting:default:sensitive"], false);
    s.get("/api/v1/preferences", None).await.error(401);
}

async fn api_rate_limit_per_token(b: Backend) {
    let limits = RateLimits { api: 3, ..relaxed_limits() };
    let s = TestServer::with(b, |_| {}, limits).await;
    let alice = s.user("alice").await;
    let bob = s.user("bob").await;
    let token = s.token_direct(&alice, "read").await;
    let other = s.token_direct(&bob, "read").await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["x-ratelimit-limit"], "3");
        assert!(r.headers.contains_key("x-ratelimit-reset"));
        remaining.push(r.headers["x-ratelimit-remaining"].to_str().unwrap().to_string());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await;
    assert_eq!(r.error(429), "Too many requests");
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(
        s.get("/api/v1/accounts/verify_credentials", Some(&other)).await.status,
        200,
        "another token has its own budget"
    );
}

async fn sign_in_and_registration_limits_per_ip(b: Backend) {
    let limits = RateLimits { sign_in: 2, registration: 1, ..relaxed_limits() };
    let s = TestServer::with(b, |_| {}, limits).await;
    s.user("alice").await;
    let (id, secret) = s.app_client("read write").await;
    let attempt = || {
        let body = format!("grant_type=password&client_id={id}&client_secret={secret}&username=alice&password=wrong");
        let mut req = Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 0, 0, 7], 5000))));
        req
    };
    assert_eq!(s.send(attempt()).await.status, 400);
    assert_eq!(s.send(attempt()).await.status, 400);
    assert_eq!(s.send(attempt()).await.status, 429, "the third sign-in from one address in the window is refused");

    let app_token = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret), ("scope", "write")],
        )
        .await;
    let app_token = app_token.json["access_token"].as_str().unwrap_or_default().to_string();
    let signup = |n: &str| {
        let body =
            json!({"username": n, "email": format!("{n}@nhs.net"), "password": "a good password", "agreement": true})
                .to_string();
        Request::post("/api/v1/accounts")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {app_token}"))
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(s.send(signup("one")).await.status, 200);
    assert_eq!(s.send(signup("two")).await.status, 429);
    assert_eq!(s.count("users").await, 2, "alice and one");
}

/// The web's sign-up and password-reset forms count against the same per-address limits as
/// the API's, and a browser is refused with a page (not JSON) that says how long to wait.
async fn web_forms_share_the_per_ip_limits(b: Backend) {
    let limits = RateLimits { sign_in: 2, registration: 1, ..relaxed_limits() };
    let s = TestServer::with(b, |_| {}, limits).await;
    let form = |path: &str, octet: u8| {
        let mut req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("email=alice%40example.nhs.uk"))
            .unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 0, 0, octet], 5000))));
        req
    };
    // No form token: refused by the form itself (403), but counted.
    assert_eq!(s.send(form("/forgot-password", 8)).await.status, 403);
    assert_eq!(s.send(form("/reset-password/some-token", 8)).await.status, 403);
    let refused = s.send(form("/forgot-password", 8)).await;
    assert_eq!(refused.status, 429, "the third reset try from one address shares the sign-in limit");
    assert!(refused.text.contains("<h1>Too many tries</h1>"), "{}", refused.text);
    assert!(refused.text.contains("Nothing you sent was saved."), "{}", refused.text);
    assert!(refused.headers.get("retry-after").is_some());
    assert!(refused.headers.get("content-security-policy").is_some(), "the page keeps the web's headers");
    assert_eq!(s.send(form("/sign-in", 8)).await.status, 429, "sign-in is the same budget");
    assert_eq!(s.send(form("/sign-in", 9)).await.status, 403, "another address is not affected");

    assert_eq!(s.send(form("/sign-up", 8)).await.status, 403);
    assert_eq!(s.send(form("/sign-up", 8)).await.status, 429, "sign-up shares the registration limit");
    // The API's limit is still JSON.
    let mut api = Request::post("/oauth/token").body(Body::empty()).unwrap();
    api.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 0, 0, 8], 5000))));
    let api = s.send(api).await;
    assert_eq!(api.error(429), "Too many requests");
}

async fn cors_body_limits_and_fallback(b: Backend) {
    let s = TestServer::new(b).await;
    let pre = s
        .send(
            Request::builder()
                .method(Method::OPTIONS)
                .uri("/api/v1/accounts/verify_credentials")
                .header("origin", "https://app.example")
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(pre.status.is_success());
    assert_eq!(pre.headers["access-control-allow-origin"], "*");
    let r = s
        .send(Request::get("/api/v1/instance").header("origin", "https://app.example").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.headers["access-control-allow-origin"], "*");

    let huge = json!({"client_name": "x".repeat(2 * 1024 * 1024), "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"});
    let r = s.json(Method::POST, "/api/v1/apps", None, huge).await;
    assert!(r.error(413).contains("larger than"));
    assert_eq!(s.count("oauth_apps").await, 0);

    assert_eq!(s.get("/api/v1/nothing/here", None).await.error(404), "Record not found");
    let wrong_method = s.json(Method::DELETE, "/api/v1/instance", None, json!({})).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(s.get("/health", None).await.text, "OK");
}

async fn metrics_and_request_ids(b: Backend) {
    let s = TestServer::new(b).await;
    let r = s.get("/api/v1/instance", None).await;
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID request id on every response");
    let given =
        s.send(Request::get("/api/v1/instance").header("x-request-id", "abc-123").body(Body::empty()).unwrap()).await;
    assert_eq!(given.headers["x-request-id"], "abc-123", "a caller's request id is kept");
    canteen_app::jobs::enqueue(&s.app, s.app.store.writer(), "test.noop", "{}", 60_000).await.unwrap();
    let m = s.get("/metrics", None).await;
    assert_eq!(m.status, 200);
    assert!(m.text.contains("canteen_http_requests_total"), "{}", m.text);
    assert!(m.text.contains("route=\"/api/v1/instance\""));
    assert!(m.text.contains("canteen_http_request_duration_seconds_bucket"));
    assert!(m.text.contains("canteen_db_connections"));
    let queued = m.text.lines().find(|l| l.starts_with("canteen_jobs_queued ")).unwrap();
    assert!(queued.ends_with(" 1") || queued.contains(" 1"), "{queued}");
    tokio::time::sleep(Duration::from_millis(1)).await;
}

async fn invented_tokens_still_count_against_the_address(b: Backend) {
    let s = TestServer::with(b, |_| {}, RateLimits { api: 2, ..relaxed_limits() }).await;
    let mut last = 0;
    for i in 0..51 {
        last = s.get("/api/v1/instance", Some(&format!("made-up-{i}"))).await.status.as_u16();
    }
    assert_eq!(last, 429, "50 requests per address (25 × the per-token limit), whatever the token");
}

backend_tests!(
    web_forms_share_the_per_ip_limits,
    invented_tokens_still_count_against_the_address,
    instance_v1_v2_and_rules,
    nodeinfo,
    preferences,
    api_rate_limit_per_token,
    sign_in_and_registration_limits_per_ip,
    cors_body_limits_and_fallback,
    metrics_and_request_ids,
);
