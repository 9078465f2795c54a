//! Registration, profiles, privacy settings and several profiles per login.

use crate::support;

use axum::http::Method;
use canteen_domain::registration::RegistrationMode;
use serde_json::{Value, json};
use support::{Backend, TestServer, relaxed_limits};

async fn app_token(s: &TestServer, scopes: &str) -> String {
    let (id, secret) = s.app_client("read write follow").await;
    let r = s
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret), ("scope", scopes)],
        )
        .await;
    r.json["access_token"].as_str().unwrap().to_string()
}

fn signup(username: &str, email: &str) -> Value {
    json!({"username": username, "email": email, "password": "a good password", "agreement": true, "locale": "en"})
}

async fn registration_open(b: Backend) {
    let s = TestServer::new(b).await;
    let app = app_token(&s, "read write").await;
    let r = s.json(Method::POST, "/api/v1/accounts", Some(&app), signup("nurse_jo", "jo@nhs.net")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.json["access_token"].as_str().unwrap();
    let me = s.get("/api/v1/accounts/verify_credentials", Some(token)).await;
    assert_eq!(me.json["username"], "nurse_jo");
    assert_eq!(me.json["acct"], "nurse_jo");
    assert_eq!(me.json["uri"], format!("{}/users/nurse_jo", support::PUBLIC_URL));
    assert_eq!(me.json["url"], format!("{}/@nurse_jo", support::PUBLIC_URL));
    assert!(me.json["id"].is_string(), "ids are strings");
    assert_eq!(me.json["source"]["canteen"]["profile_mode"], "personal", "sign-ups start private");
    assert_eq!(me.json["locked"], true);

    // Taken (case-insensitively), invalid, and several problems reported at once.
    let before = (s.count("users").await, s.count("accounts").await);
    let taken = s.json(Method::POST, "/api/v1/accounts", Some(&app), signup("NURSE_JO", "JO@nhs.net")).await;
    taken.error(422);
    assert_eq!(taken.json["details"]["username"][0]["error"], "ERR_TAKEN");
    assert_eq!(taken.json["details"]["email"][0]["error"], "ERR_TAKEN");
    let bad = s
        .form(
            Method::POST,
            "/api/v1/accounts",
            Some(&app),
            &[("username", "no spaces"), ("email", "nope"), ("password", "short"), ("agreement", "true")],
        )
        .await;
    bad.error(422);
    for field in ["username", "email", "password"] {
        assert!(bad.json["details"][field].is_array(), "{field} named in {}", bad.text);
    }
    let no_agreement = s
        .json(
            Method::POST,
            "/api/v1/accounts",
            Some(&app),
            json!({"username": "x", "email": "x@nhs.net", "password": "a good password"}),
        )
        .await;
    assert_eq!(no_agreement.json["details"]["agreement"][0]["error"], "ERR_ACCEPTED");
    let missing = s.json(Method::POST, "/api/v1/accounts", Some(&app), json!({"username": "x"})).await;
    assert!(missing.error(400).contains("email"));
    let oversize = s.json(Method::POST, "/api/v1/accounts", Some(&app), signup(&"a".repeat(31), "long@nhs.net")).await;
    assert_eq!(oversize.json["details"]["username"][0]["error"], "ERR_TOO_LONG");
    // A person's token may not sign someone else up; a token without write:accounts neither.
    let person = r.json["access_token"].as_str().unwrap();
    s.json(Method::POST, "/api/v1/accounts", Some(person), signup("other", "other@nhs.net")).await.error(403);
    let read_app = app_token(&s, "read").await;
    s.json(Method::POST, "/api/v1/accounts", Some(&read_app), signup("other", "other@nhs.net")).await.error(403);
    s.json(Method::POST, "/api/v1/accounts", None, signup("other", "other@nhs.net")).await.error(401);
    assert_eq!((s.count("users").await, s.count("accounts").await), before, "no failed sign-up wrote anything");
}

async fn registration_modes_and_allow_list(b: Backend) {
    let closed = TestServer::with(b, |c| c.registration_mode = RegistrationMode::Closed, relaxed_limits()).await;
    let app = app_token(&closed, "write").await;
    let r = closed.json(Method::POST, "/api/v1/accounts", Some(&app), signup("a", "a@nhs.net")).await;
    assert!(r.error(403).contains("closed"));
    assert_eq!(closed.count("users").await, 0);

    let allow =
        TestServer::with(b, |c| c.registration_allowed_domains = vec!["nhs.net".into()], relaxed_limits()).await;
    let app = app_token(&allow, "write").await;
    let r = allow.json(Method::POST, "/api/v1/accounts", Some(&app), signup("a", "a@gmail.com")).await;
    assert_eq!(r.json["details"]["email"][0]["error"], "ERR_BLOCKED", "{}", r.text);
    assert_eq!(
        allow.json(Method::POST, "/api/v1/accounts", Some(&app), signup("b", "b@wales.nhs.net")).await.status,
        200
    );

    let approval = TestServer::with(b, |c| c.registration_mode = RegistrationMode::Approval, relaxed_limits()).await;
    let app = app_token(&approval, "read write").await;
    let r = approval
        .json(Method::POST, "/api/v1/accounts", Some(&app), json!({"username": "pending", "email": "p@nhs.net", "password": "a good password", "agreement": "1", "reason": "Ward 7 nurse"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.json["access_token"].as_str().unwrap();
    let me = approval.get("/api/v1/accounts/verify_credentials", Some(token)).await;
    assert_eq!(me.error(403), "Your login is currently pending approval");
    let (id, secret) = approval.app_client("read").await;
    let grant = approval
        .form(
            Method::POST,
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "pending"),
                ("password", "a good password"),
            ],
        )
        .await;
    assert_eq!(grant.error(403), "Your login is currently pending approval");
    canteen_app::admin::approve(&approval.app, "pending").await.unwrap();
    assert_eq!(approval.get("/api/v1/accounts/verify_credentials", Some(token)).await.status, 200);
    let inst = approval.get("/api/v2/instance", None).await;
    assert_eq!(inst.json["registrations"]["approval_required"], true);
}

async fn update_credentials_in_json_and_form(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, token) = s.signed_in("alice").await;
    let r = s
        .json(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&token),
            json!({
                "display_name": "Alice <b>A</b>", "note": "Ward sister.\n\nViews my own.", "bot": false, "locked": true,
                "fields_attributes": [{"name": "Pronouns", "value": "she/her"}, {"name": "", "value": ""}],
                "source": {"privacy": "unlisted", "sensitive": true, "language": "en"},
                "canteen": {"job_title": "Ward sister", "job_title_visibility": "public", "employer": "NHS Lothian",
                            "employer_visibility": "only_me", "profession": "Nursing", "profession_visibility": "followers"},
                "something_new": 42
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["display_name"], "Alice <b>A</b>", "display names are text, shown as is");
    assert_eq!(r.json["note"], "<p>Ward sister.</p><p>Views my own.</p>");
    assert_eq!(r.json["source"]["note"], "Ward sister.\n\nViews my own.");
    assert_eq!(r.json["fields"], json!([{"name": "Pronouns", "value": "she/her", "verified_at": null}]));
    assert_eq!(r.json["source"]["privacy"], "unlisted");
    assert_eq!(r.json["source"]["sensitive"], true);
    assert_eq!(r.json["source"]["canteen"]["employer"], json!({"value": "NHS Lothian", "visibility": "only_me"}));
    assert_eq!(s.get("/api/v1/preferences", Some(&token)).await.json["posting:default:visibility"], "unlisted");

    // Form encoding with Rails-style brackets, as Mastodon.py and many apps send.
    let r = s
        .form(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&token),
            &[
                ("display_name", "Alice"),
                ("fields_attributes[0][name]", "Ward"),
                ("fields_attributes[0][value]", "7"),
                ("source[privacy]", "private"),
                ("discoverable", "1"),
                ("indexable", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["fields"][0]["name"], "Ward");
    assert_eq!(r.json["source"]["privacy"], "private");
    assert_eq!(r.json["discoverable"], true);
    assert_eq!(r.json["indexable"], false);
    assert_eq!(r.json["noindex"], true);
    // Multipart, as apps send when uploading an avatar alongside.
    let r = s
        .multipart(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), &[("note", "multipart note")])
        .await;
    assert_eq!(r.json["source"]["note"], "multipart note");

    // Bad input changes nothing.
    let before = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json;
    for (body, field) in [
        (json!({"display_name": "x".repeat(31)}), "display_name"),
        (json!({"note": "x".repeat(501)}), "note"),
        (json!({"source": {"privacy": "friends-ish"}}), "source[privacy]"),
        (json!({"canteen": {"employer_visibility": "everyone"}}), "canteen[employer_visibility]"),
        (
            json!({"fields_attributes": [{"name":"a","value":"1"},{"name":"b","value":"2"},{"name":"c","value":"3"},{"name":"d","value":"4"},{"name":"e","value":"5"}]}),
            "fields_attributes",
        ),
        (json!({"canteen": {"job_title": "x".repeat(101)}}), "canteen[job_title]"),
        (json!({"source": {"language": "English"}}), "source[language]"),
    ] {
        let r = s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), body).await;
        r.error(422);
        assert!(r.json["details"][field].is_array(), "{field} named in {}", r.text);
    }
    let wrong_type =
        s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), json!({"display_name": 5})).await;
    assert!(wrong_type.error(422).contains("display_name"));
    let wrong_bool =
        s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), json!({"locked": "perhaps"})).await;
    assert!(wrong_bool.error(422).contains("locked"));
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json, before);
}

async fn profile_details_follow_their_visibility(b: Backend) {
    let s = TestServer::new(b).await;
    let (alice, token) = s.signed_in("alice").await;
    let (_, bob) = s.signed_in("bob").await;
    s.json(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        Some(&token),
        json!({"canteen": {"job_title": "Dietitian", "job_title_visibility": "public", "employer": "NHS Tayside",
               "employer_visibility": "only_me", "location": "Dundee", "location_visibility": "followers"}}),
    )
    .await;
    let path = format!("/api/v1/accounts/{}", alice.id);
    // viewer → (job title seen, employer seen, location seen)
    let cases = [
        ("anonymous", None, (true, false, false)),
        ("stranger", Some(bob.as_str()), (true, false, false)),
        ("owner", Some(token.as_str()), (true, true, true)),
    ];
    for (who, tok, (job, employer, location)) in cases {
        let r = s.get(&path, tok).await;
        assert_eq!(r.status, 200, "{who}: {}", r.text);
        let c = &r.json["canteen"];
        assert_eq!(c["job_title"].is_string(), job, "{who} job title");
        assert_eq!(c["employer"].is_string(), employer, "{who} employer");
        assert_eq!(c["location"].is_string(), location, "{who} location");
        assert!(!r.text.contains("NHS Tayside") || employer, "{who} must not see the employer anywhere");
        assert!(r.json.get("source").is_none(), "source is only in verify_credentials");
    }
}

async fn profile_modes_and_high_privacy(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, token) = s.signed_in("alice").await;
    let r = s.get("/api/v1/canteen/profile", Some(&token)).await;
    assert_eq!(r.json["profile_mode"], "professional", "admin-created users start professional");
    let r = s.json(Method::PATCH, "/api/v1/canteen/profile", Some(&token), json!({"profile_mode": "personal"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let me = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json;
    assert_eq!(
        (
            me["locked"].as_bool(),
            me["discoverable"].as_bool(),
            me["indexable"].as_bool(),
            me["hide_collections"].as_bool()
        ),
        (Some(true), Some(false), Some(false), Some(true))
    );
    assert_eq!(me["source"]["canteen"]["employer"]["visibility"], "only_me");

    let r = s.form(Method::PATCH, "/api/v1/canteen/profile", Some(&token), &[("profile_mode", "cross_over")]).await;
    assert_eq!(r.json["employer"]["visibility"], "only_me");
    let me = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json;
    assert_eq!(me["locked"], false);
    assert_eq!(me["discoverable"], true);

    let r = s.json(Method::PATCH, "/api/v1/canteen/profile", Some(&token), json!({"privacy_preset": "high"})).await;
    assert_eq!(r.json["privacy_preset"], "high");
    let me = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json;
    assert_eq!(
        (
            me["locked"].as_bool(),
            me["discoverable"].as_bool(),
            me["indexable"].as_bool(),
            me["hide_collections"].as_bool()
        ),
        (Some(true), Some(false), Some(false), Some(true))
    );
    assert_eq!(me["source"]["privacy"], "private");
    // While "high" is on, asking to unlock in the same breath does not widen anything.
    let me = s
        .json(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&token),
            json!({"locked": false, "discoverable": true}),
        )
        .await
        .json;
    assert_eq!((me["locked"].as_bool(), me["discoverable"].as_bool()), (Some(true), Some(false)));
    // Turning it off keeps the private settings until the person changes them.
    s.json(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        Some(&token),
        json!({"canteen": {"privacy_preset": "standard"}}),
    )
    .await;
    let me =
        s.json(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&token), json!({"locked": false})).await.json;
    assert_eq!((me["locked"].as_bool(), me["discoverable"].as_bool()), (Some(false), Some(false)));

    let bad =
        s.json(Method::PATCH, "/api/v1/canteen/profile", Some(&token), json!({"profile_mode": "secret_agent"})).await;
    assert!(bad.error(422).contains("personal, professional, cross_over"));
}

async fn several_profiles_under_one_login(b: Backend) {
    let s = TestServer::new(b).await;
    let (main, token) = s.signed_in("jo_professional").await;
    let r = s
        .json(
            Method::POST,
            "/api/v1/canteen/profiles",
            Some(&token),
            json!({"username": "jo_private", "display_name": "Jo", "profile_mode": "personal"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let second_id = r.json["id"].as_str().unwrap().to_string();
    assert_eq!(r.json["locked"], true);
    let list = s.get("/api/v1/canteen/profiles", Some(&token)).await.json;
    let names: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["username"].as_str().unwrap(), p["current"].as_bool().unwrap()))
        .collect();
    assert_eq!(names, vec![("jo_professional", true), ("jo_private", false)]);

    let switched =
        s.json(Method::POST, &format!("/api/v1/canteen/profiles/{second_id}/switch"), Some(&token), json!({})).await;
    assert_eq!(switched.status, 200, "{}", switched.text);
    let second_token = switched.json["access_token"].as_str().unwrap();
    assert_eq!(switched.json["scope"], "read write follow push canteen:profiles");
    // An app that did not ask for `canteen:profiles` cannot find or use the other profiles.
    let plain = s.token_for("jo_professional", "read write").await;
    s.get("/api/v1/canteen/profiles", Some(&plain)).await.error(403);
    s.json(Method::POST, &format!("/api/v1/canteen/profiles/{second_id}/switch"), Some(&plain), json!({}))
        .await
        .error(403);
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(second_token)).await.json["username"], "jo_private");
    assert_eq!(
        s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json["username"],
        "jo_professional",
        "the first token still acts as the first profile"
    );

    // Nothing public links the two profiles.
    let (_, stranger) = s.signed_in("stranger").await;
    let public = s.get(&format!("/api/v1/accounts/{second_id}"), Some(&stranger)).await.text;
    assert!(
        !public.contains("jo_professional")
            && !public.contains(&main.id.to_string())
            && !public.contains("example.nhs.uk")
    );

    // Someone else's profile cannot be switched to, and looks exactly like a missing one.
    let theirs =
        s.json(Method::POST, &format!("/api/v1/canteen/profiles/{second_id}/switch"), Some(&stranger), json!({})).await;
    let missing = s.json(Method::POST, "/api/v1/canteen/profiles/1/switch", Some(&stranger), json!({})).await;
    assert_eq!(theirs.error(404), missing.error(404));
    // Username rules apply, and a taken name is refused.
    let taken = s.json(Method::POST, "/api/v1/canteen/profiles", Some(&token), json!({"username": "Stranger"})).await;
    assert_eq!(taken.json["details"]["username"][0]["error"], "ERR_TAKEN");
    let bad_mode = s
        .json(Method::POST, "/api/v1/canteen/profiles", Some(&token), json!({"username": "jo3", "profile_mode": "x"}))
        .await;
    bad_mode.error(422);
    assert_eq!(s.count("accounts").await, 3);
}

async fn lookup_show_relationships(b: Backend) {
    let s = TestServer::new(b).await;
    let (alice, token) = s.signed_in("alice").await;
    let domain = "canteen.test";
    for acct in ["alice", "@alice", "ALICE", &format!("alice@{domain}")] {
        let r = s.get(&format!("/api/v1/accounts/lookup?acct={}", acct.replace('@', "%40")), None).await;
        assert_eq!(r.status, 200, "{acct}: {}", r.text);
        assert_eq!(r.json["id"], alice.id.to_string());
    }
    s.get("/api/v1/accounts/lookup?acct=alice%40elsewhere.example", None).await.error(404);
    assert!(s.get("/api/v1/accounts/lookup", None).await.error(400).contains("acct"));
    assert_eq!(s.get("/api/v1/accounts/999999", None).await.error(404), "Record not found");
    s.get("/api/v1/accounts/not-a-number", None).await.error(404);
    let r = s.get(&format!("/api/v1/accounts/relationships?id[]={}&id[]=12345", alice.id), Some(&token)).await;
    assert_eq!(r.status, 200);
    let rels = r.json.as_array().unwrap();
    assert_eq!(rels.len(), 1, "unknown ids are left out");
    assert_eq!(rels[0]["following"], false);
    assert_eq!(rels[0]["requested"], false);
    assert_eq!(rels[0]["id"], alice.id.to_string());
    let avatar = s.get("/avatars/original/missing.png", None).await;
    assert_eq!(avatar.headers["content-type"], "image/png");
}

async fn suspension_stops_a_profile(b: Backend) {
    let s = TestServer::new(b).await;
    let (alice, token) = s.signed_in("alice").await;
    canteen_app::admin::suspend(&s.app, "alice").await.unwrap();
    assert_eq!(
        s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.error(401),
        "The access token was revoked"
    );
    s.get(&format!("/api/v1/accounts/{}", alice.id), None).await.error(404);
    let (id, secret) = s.app_client("read").await;
    let grant = s
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
    assert_eq!(grant.error(403), "Your login is currently disabled");
    canteen_app::admin::unsuspend(&s.app, "alice").await.unwrap();
    assert_eq!(s.get(&format!("/api/v1/accounts/{}", alice.id), None).await.status, 200);
    let token = s.token_for("alice", "read").await;
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.status, 200);
}

async fn roles_show_in_credentials(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, token) = s.signed_in("alice").await;
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json["role"]["name"], "");
    canteen_app::admin::set_role(&s.app, "alice", canteen_domain::account::Role::Admin).await.unwrap();
    let role = s.get("/api/v1/accounts/verify_credentials", Some(&token)).await.json["role"].clone();
    assert_eq!(role["name"], "admin");
    assert_eq!(role["permissions"], "1");
    assert!(canteen_app::admin::set_role(&s.app, "nobody", canteen_domain::account::Role::Admin).await.is_err());
}

backend_tests!(
    registration_open,
    registration_modes_and_allow_list,
    update_credentials_in_json_and_form,
    profile_details_follow_their_visibility,
    profile_modes_and_high_privacy,
    several_profiles_under_one_login,
    lookup_show_relationships,
    suspension_stops_a_profile,
    roles_show_in_credentials,
);
