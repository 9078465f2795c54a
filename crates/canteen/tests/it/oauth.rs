//! Apps and OAuth: registration of apps, every grant, PKCE, revocation, scopes.

use crate::support;

use axum::http::Method;
use serde_json::json;
use support::{Backend, TestServer};

async fn apps_register_in_every_encoding(b: Backend) {
    let s = TestServer::new(b).await;
    let json = s
        .json(
            Method::POST,
            "/api/v1/apps",
            None,
            json!({"client_name": "J", "redirect_uris": ["https://a.example/cb"], "scopes": "read write"}),
        )
        .await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert_eq!(json.json["scopes"], json!(["read", "write"]));
    assert_eq!(json.json["redirect_uris"], json!(["https://a.example/cb"]));
    let form = s
        .form(
            Method::POST,
            "/api/v1/apps",
            None,
            &[
                ("client_name", "F"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ("scopes", "read"),
                ("unknown", "ignored"),
            ],
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.text);
    let mp = s
        .multipart(
            Method::POST,
            "/api/v1/apps",
            None,
            &[("client_name", "M"), ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob")],
        )
        .await;
    assert_eq!(mp.status, 200, "{}", mp.text);
    assert_eq!(mp.json["scopes"], json!(["read"]), "no scopes means read");
    assert_eq!(s.count("oauth_apps").await, 3);

    // Bad input: each refused with the field named, and nothing written.
    let missing =
        s.json(Method::POST, "/api/v1/apps", None, json!({"redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})).await;
    assert!(missing.error(400).contains("client_name"));
    let bad_scope = s
        .json(
            Method::POST,
            "/api/v1/apps",
            None,
            json!({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read everything"}),
        )
        .await;
    assert!(bad_scope.error(422).contains("everything"));
    assert_eq!(bad_scope.json["details"]["scopes"][0]["error"], "ERR_INVALID");
    let bad_uri =
        s.json(Method::POST, "/api/v1/apps", None, json!({"client_name": "x", "redirect_uris": "not a uri"})).await;
    assert!(bad_uri.error(422).contains("Redirect URI"));
    let wrong_type = s
        .json(
            Method::POST,
            "/api/v1/apps",
            None,
            json!({"client_name": ["x"], "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        )
        .await;
    assert!(wrong_type.error(422).contains("client_name"));
    let too_long = s
        .json(
            Method::POST,
            "/api/v1/apps",
            None,
            json!({"client_name": "x".repeat(61), "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        )
        .await;
    too_long.error(422);
    let not_json = s
        .send(
            axum::http::Request::post("/api/v1/apps")
                .header("content-type", "application/json")
                .body("{nope".into())
                .unwrap(),
        )
        .await;
    assert!(not_json.error(400).contains("JSON"));
    assert_eq!(s.count("oauth_apps").await, 3);
}

async fn password_grant_and_its_failures(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let (id, secret) = s.app_client("read write").await;
    let ok = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice@example.nhs.uk"),
                ("password", "a good password"),
                ("scope", "read write"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["token_type"], "Bearer");
    assert_eq!(ok.json["scope"], "read write");
    assert_eq!(ok.headers["cache-control"], "no-store");
    let token = ok.json["access_token"].as_str().unwrap();
    let me = s.get("/api/v1/accounts/verify_credentials", Some(token)).await;
    assert_eq!(me.json["username"], "alice");

    // By username too, and case-insensitively.
    let by_name = s
        .json(Method::POST, "/oauth/token", None, json!({"grant_type": "password", "client_id": id, "client_secret": secret, "username": "ALICE", "password": "a good password"}))
        .await;
    assert_eq!(by_name.status, 200, "{}", by_name.text);
    assert_eq!(by_name.json["scope"], "read write", "no scope asked: the app's scopes");

    let tokens_before = s.count("oauth_tokens").await;
    let wrong_pw = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", "nope nope nope"),
            ],
        )
        .await;
    assert_eq!(wrong_pw.error(400), "invalid_grant");
    assert!(wrong_pw.json["error_description"].as_str().unwrap().contains("not correct"));
    let unknown_user = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "nobody"),
                ("password", "a good password"),
            ],
        )
        .await;
    assert_eq!(unknown_user.json, wrong_pw.json, "unknown login and wrong password answer alike");
    let wrong_secret = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", "x"),
                ("username", "alice"),
                ("password", "a good password"),
            ],
        )
        .await;
    assert_eq!(wrong_secret.error(401), "invalid_client");
    let wider_scope = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", "a good password"),
                ("scope", "read admin:write"),
            ],
        )
        .await;
    assert_eq!(wider_scope.error(400), "invalid_scope");
    let unknown_grant =
        s.form(Method::POST, "/oauth/token", None, &[("grant_type", "magic"), ("client_id", &id)]).await;
    assert_eq!(unknown_grant.error(400), "unsupported_grant_type");
    let missing = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[("grant_type", "password"), ("client_id", &id), ("client_secret", &secret)],
        )
        .await;
    assert_eq!(missing.error(400), "invalid_request");
    assert_eq!(s.count("oauth_tokens").await, tokens_before, "no failed grant wrote a token");
}

async fn password_grant_can_be_turned_off(b: Backend) {
    let s = TestServer::with(b, |c| c.password_grant = false, support::relaxed_limits()).await;
    s.user("alice").await;
    let (id, secret) = s.app_client("read").await;
    let r = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", "a good password"),
            ],
        )
        .await;
    assert_eq!(r.error(400), "unsupported_grant_type");
    let meta = s.get("/.well-known/oauth-authorization-server", None).await;
    assert!(!meta.json["grant_types_supported"].as_array().unwrap().contains(&json!("password")));
}

async fn client_credentials_token_verifies_the_app_but_is_no_one(b: Backend) {
    let s = TestServer::new(b).await;
    let (id, secret) = s.app_client("read write").await;
    let r = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.json["access_token"].as_str().unwrap();
    let app = s.get("/api/v1/apps/verify_credentials", Some(token)).await;
    assert_eq!(app.json["name"], "Test app");
    assert!(app.json.get("client_secret").is_none(), "verify_credentials never shows the secret");
    let me = s.get("/api/v1/accounts/verify_credentials", Some(token)).await;
    assert!(me.error(422).contains("authenticated user"));
    // HTTP Basic client authentication works as well.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let req = axum::http::Request::post("/oauth/token")
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials".into())
        .unwrap();
    assert_eq!(s.send(req).await.status, 200);
}

fn query_param(url: &str, key: &str) -> Option<String> {
    let u = url::Url::parse(url).unwrap();
    u.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

async fn authorization_code_with_pkce(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let app = s
        .json(
            Method::POST,
            "/api/v1/apps",
            None,
            json!({"client_name": "Web", "redirect_uris": "https://app.example/cb", "scopes": "read write"}),
        )
        .await;
    let id = app.json["client_id"].as_str().unwrap().to_string();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let q = format!(
        "/oauth/authorize?client_id={id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=read&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    );
    let page = s.get(&q, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<strong>Web</strong>") && page.text.contains("name=\"password\""));
    assert!(page.text.contains("See your posts, timelines"), "the scope in plain words: {}", page.text);
    assert_eq!(page.headers["x-frame-options"], "DENY");
    let (cookie, token) = form_token(&page);

    // A redirect URI the app did not register is refused on the page, never redirected to.
    let evil = s
        .get(
            &format!("/oauth/authorize?client_id={id}&redirect_uri=https%3A%2F%2Fevil.example%2F&response_type=code"),
            None,
        )
        .await;
    assert_eq!(evil.status, 400);
    assert!(evil.headers.get("location").is_none());
    let unknown = s.get("/oauth/authorize?client_id=nope&response_type=code", None).await;
    assert_eq!(unknown.status, 401);

    let form = |login: &'static str, password: &'static str, decision: &'static str| {
        vec![
            ("client_id", id.clone()),
            ("redirect_uri", "https://app.example/cb".to_string()),
            ("response_type", "code".into()),
            ("scope", "read".into()),
            ("state", "xyz".into()),
            ("code_challenge", challenge.into()),
            ("code_challenge_method", "S256".into()),
            ("login", login.into()),
            ("password", password.into()),
            ("decision", decision.into()),
            ("csrf_token", token.clone()),
        ]
    };
    let post = |pairs: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, String)> = pairs;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        axum::http::Request::post("/oauth/authorize")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &cookie)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    // Without the page's form token nothing is checked or issued.
    let mut forged = form("alice", "a good password", "approve");
    forged.retain(|(k, _)| *k != "csrf_token");
    assert_eq!(s.send(post(forged)).await.status, 403);
    let wrong = s.send(post(form("alice", "wrong password", "approve"))).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("role=\"alert\""));
    assert_eq!(s.count("oauth_codes").await, 0);

    let denied = s.send(post(form("alice", "a good password", "deny"))).await;
    let loc = denied.headers["location"].to_str().unwrap();
    assert_eq!(query_param(loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(loc, "state").as_deref(), Some("xyz"));

    let ok = s.send(post(form("alice", "a good password", "approve"))).await;
    assert_eq!(ok.status, 302, "{}", ok.text);
    let loc = ok.headers["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("https://app.example/cb?"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("xyz"));
    let code = query_param(&loc, "code").unwrap();

    let exchange = |verifier: &str| json!({"grant_type": "authorization_code", "client_id": id, "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": verifier});
    let bad =
        s.json(Method::POST, "/oauth/token", None, exchange("wrong-verifier-wrong-verifier-wrong-verifier")).await;
    assert_eq!(bad.error(400), "invalid_grant");
    // A failed exchange spends the code (RFC 6749 §4.1.2): get a fresh one.
    let ok = s.send(post(form("alice", "a good password", "approve"))).await;
    let code2 = query_param(ok.headers["location"].to_str().unwrap(), "code").unwrap();
    let good = s
        .json(Method::POST, "/oauth/token", None, json!({"grant_type": "authorization_code", "client_id": id, "code": code2, "redirect_uri": "https://app.example/cb", "code_verifier": verifier}))
        .await;
    assert_eq!(good.status, 200, "{}", good.text);
    assert_eq!(good.json["scope"], "read");
    let token = good.json["access_token"].as_str().unwrap();
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(token)).await.json["username"], "alice");
    let again = s
        .json(
            Method::POST,
            "/oauth/token",
            None,
            json!({"grant_type": "authorization_code", "client_id": id, "code": code2, "code_verifier": verifier}),
        )
        .await;
    assert_eq!(again.error(400), "invalid_grant", "a code works once");
}

/// The consent page's signed-out form token: (cookie as `name=value`, the form's field).
fn form_token(page: &support::Resp) -> (String, String) {
    let cookie = crate::web::set_cookie(page, "canteen_csrf").expect("a form cookie");
    (crate::web::cookie_pair(&cookie), crate::web::csrf_field(&page.text))
}

async fn out_of_band_code_is_shown_and_needs_the_secret(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let (id, secret) = s.app_client("read write").await;
    let page = s
        .get(
            &format!("/oauth/authorize?client_id={id}&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&scope=read"),
            None,
        )
        .await;
    let (cookie, token) = form_token(&page);
    let body = format!(
        "client_id={id}&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&scope=read&login=alice&password=a+good+password&decision=approve&csrf_token={token}"
    );
    let r = s
        .send(
            axum::http::Request::post("/oauth/authorize")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(body.into())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200);
    let at = r.text.find("<code id=\"code\"").expect("the code is shown");
    let start = at + r.text[at..].find('>').unwrap() + 1;
    let code = &r.text[start..start + 43];
    let no_secret = s
        .json(
            Method::POST,
            "/oauth/token",
            None,
            json!({"grant_type": "authorization_code", "client_id": id, "code": code}),
        )
        .await;
    assert_eq!(no_secret.error(401), "invalid_client", "without PKCE the client must authenticate");
    let r = s
        .json(Method::POST, "/oauth/token", None, json!({"grant_type": "authorization_code", "client_id": id, "client_secret": secret, "code": code, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}))
        .await;
    // Client authentication failed before the code was looked at, so it is still good.
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["scope"], "read");
}

async fn revoked_tokens_stop_working(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let (id, secret) = s.app_client("read write").await;
    let tok = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", "a good password"),
            ],
        )
        .await
        .json["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Another app may not revoke it.
    let (other_id, other_secret) = s.app_client("read").await;
    let r = s
        .form(
            Method::POST,
            "/oauth/revoke",
            None,
            &[("client_id", &other_id), ("client_secret", &other_secret), ("token", &tok)],
        )
        .await;
    assert_eq!(r.error(403), "unauthorized_client");
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&tok)).await.status, 200);
    let r = s
        .form(Method::POST, "/oauth/revoke", None, &[("client_id", &id), ("client_secret", &secret), ("token", &tok)])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json, json!({}));
    let after = s.get("/api/v1/accounts/verify_credentials", Some(&tok)).await;
    assert_eq!(after.error(401), "The access token was revoked");
    assert!(after.headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    // Unknown tokens revoke "successfully" (RFC 7009), wrong secrets do not.
    assert_eq!(
        s.form(
            Method::POST,
            "/oauth/revoke",
            None,
            &[("client_id", &id), ("client_secret", &secret), ("token", "nope")]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        s.form(Method::POST, "/oauth/revoke", None, &[("client_id", &id), ("client_secret", "bad"), ("token", &tok)])
            .await
            .error(401),
        "invalid_client"
    );
}

async fn scopes_are_enforced(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let read_only = s.token_for("alice", "read").await;
    let write_only = s.token_for("alice", "write").await;
    let granular = s.token_for("alice", "read:accounts").await;
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&read_only)).await.status, 200);
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&granular)).await.status, 200);
    let r = s.get("/api/v1/accounts/verify_credentials", Some(&write_only)).await;
    assert_eq!(r.error(403), "This action is outside the authorized scopes");
    let r = s
        .json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&read_only), json!({"display_name": "X"}))
        .await;
    assert_eq!(r.error(403), "This action is outside the authorized scopes");
    let r = s.get("/api/v1/accounts/relationships?id[]=1", Some(&granular)).await;
    assert_eq!(r.status, 403, "read:accounts does not grant read:follows");
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&read_only)).await.json["display_name"], "");
    let garbage = s.get("/api/v1/accounts/verify_credentials", Some("not-a-token")).await;
    assert_eq!(garbage.error(401), "The access token is invalid");
    let none = s.get("/api/v1/accounts/verify_credentials", None).await;
    none.error(401);
}

async fn discovery_documents(b: Backend) {
    let s = TestServer::new(b).await;
    let meta = s.get("/.well-known/oauth-authorization-server", None).await;
    assert_eq!(meta.status, 200);
    assert_eq!(meta.json["token_endpoint"], format!("{}/oauth/token", support::PUBLIC_URL));
    assert_eq!(meta.json["code_challenge_methods_supported"], json!(["S256"]));
    assert!(meta.json["scopes_supported"].as_array().unwrap().contains(&json!("read:accounts")));
}

async fn expired_tokens_are_refused(b: Backend) {
    use sha2::Digest;
    let s = TestServer::new(b).await;
    let alice = s.user("alice").await;
    let client = canteen_app::oauth::create_app(&s.app, "x", "urn:ietf:wg:oauth:2.0:oob", "read", None).await.unwrap();
    let value = "an-expired-token-value";
    let hash: String = sha2::Sha256::digest(value.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let now = canteen_app::clock::now_ms();
    canteen_store::oauth::insert_token(
        s.app.store.writer(),
        &canteen_store::oauth::TokenRecord {
            id: s.app.next_id().0,
            token_hash: hash,
            refresh_hash: None,
            app_id: client.id,
            user_id: alice.user_id.map(|u| u.0),
            account_id: Some(alice.id.0),
            scopes: "read".into(),
            created_at: now - 10_000,
            expires_at: Some(now - 1),
            revoked_at: None,
            last_used_at: None,
        },
    )
    .await
    .unwrap();
    let r = s.get("/api/v1/accounts/verify_credentials", Some(value)).await;
    assert_eq!(r.error(401), "The access token expired");
}

/// Signed in to the web app, the page only asks "allow this app?", for the profile in use;
/// the code it gives acts as that profile.
async fn consent_when_signed_in_uses_the_session(b: Backend) {
    let s = TestServer::new(b).await;
    s.user("alice").await;
    let app = s
        .json(
            Method::POST,
            "/api/v1/apps",
            None,
            json!({"client_name": "Tusky", "redirect_uris": "https://app.example/cb", "scopes": "read write follow"}),
        )
        .await;
    let id = app.json["client_id"].as_str().unwrap().to_string();
    let alice = crate::web::sign_in(&s, &crate::web::email("alice")).await;
    let q = format!(
        "/oauth/authorize?client_id={id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read+follow&state=s1"
    );
    let page = crate::web::get(&s, &q, &alice).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("<h1>Allow Tusky to use your account?</h1>"), "{}", page.text);
    assert!(page.text.contains("It will act as <strong>alice</strong>"), "{}", page.text);
    assert!(page.text.contains("Follow, unfollow, block and mute people for you"));
    assert!(!page.text.contains("name=\"password\""), "no password asked again");
    let token = crate::web::csrf_field(&page.text);
    let fields = [
        ("client_id", id.as_str()),
        ("redirect_uri", "https://app.example/cb"),
        ("scope", "read follow"),
        ("state", "s1"),
        ("decision", "approve"),
    ];
    // Another site's form (no session token) is refused.
    assert_eq!(crate::web::post(&s, "/oauth/authorize", &alice, &fields).await.status, 403);
    let mut with_token = fields.to_vec();
    with_token.push(("csrf_token", &token));
    let r = crate::web::post(&s, "/oauth/authorize", &alice, &with_token).await;
    assert_eq!(r.status, 302, "{}", r.text);
    let loc = r.headers["location"].to_str().unwrap().to_string();
    assert_eq!(query_param(&loc, "state").as_deref(), Some("s1"));
    let code = query_param(&loc, "code").unwrap();
    let (_, secret) = (id.clone(), app.json["client_secret"].as_str().unwrap().to_string());
    let t = s
        .json(Method::POST, "/oauth/token", None, json!({"grant_type": "authorization_code", "client_id": id, "client_secret": secret, "code": code, "redirect_uri": "https://app.example/cb"}))
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.json["scope"], "read follow");
    let token = t.json["access_token"].as_str().unwrap();
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(token)).await.json["username"], "alice");
    // The app is listed under Sessions and apps.
    assert!(crate::web::get(&s, "/settings/sessions", &alice).await.text.contains("Tusky"));
}

backend_tests!(
    consent_when_signed_in_uses_the_session,
    expired_tokens_are_refused,
    apps_register_in_every_encoding,
    password_grant_and_its_failures,
    password_grant_can_be_turned_off,
    client_credentials_token_verifies_the_app_but_is_no_one,
    authorization_code_with_pkce,
    out_of_band_code_is_shown_and_needs_the_secret,
    revoked_tokens_stop_working,
    scopes_are_enforced,
    discovery_documents,
);
