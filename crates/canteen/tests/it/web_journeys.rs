//! The web app's journeys through the real router, on SQLite and PostgreSQL: signing up
//! under each registration mode, first run (profile mode, the social-media policy and its
//! re-acknowledgement), writing with the guard (block, warn + acknowledge, wait an hour),
//! following a locked profile and approving the request, "see my profile as a stranger",
//! the live "new posts" stream, and resetting a forgotten password by email (file outbox
//! and SMTP).

use crate::support;
use crate::web::{PASSWORD, cookie_pair, csrf_field, email, get, post, set_cookie, sign_in};

use axum::http::StatusCode;
use canteen_domain::registration::RegistrationMode;
use serde_json::json;
use support::{Backend, TestServer, relaxed_limits};

/// Sends the compose form as a browser does (`multipart/form-data`), with an optional picture.
pub(crate) async fn compose_with(
    s: &TestServer,
    cookie: &str,
    pairs: &[(&str, &str)],
    image: Option<&[u8]>,
) -> support::Resp {
    let boundary = "canteen-web-test";
    let mut body: Vec<u8> = Vec::new();
    for (k, v) in pairs {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    if let Some(bytes) = image {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"ward.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let mut req = axum::http::Request::post("/compose")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"));
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    s.send(req.body(axum::body::Body::from(body)).unwrap()).await
}

pub(crate) async fn compose(s: &TestServer, cookie: &str, pairs: &[(&str, &str)]) -> support::Resp {
    compose_with(s, cookie, pairs, None).await
}

/// Opens the sign-up page: (form cookie, token).
async fn sign_up_form(s: &TestServer) -> (String, String) {
    let r = get(s, "/sign-up", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (cookie_pair(&set_cookie(&r, "canteen_csrf").expect("a form cookie")), csrf_field(&r.text))
}

async fn make_admin(s: &TestServer, username: &str) -> String {
    s.user(username).await;
    canteen_app::admin::set_role(&s.app, username, canteen_domain::account::Role::Admin).await.unwrap();
    sign_in(s, &email(username)).await
}

async fn set_policy(s: &TestServer, admin: &str, text: &str) {
    let page = get(s, "/admin/policy", admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let r = post(s, "/admin/policy", admin, &[("policy", text), ("csrf_token", &csrf_field(&page.text))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
}

async fn sign_up_and_first_run(backend: Backend) {
    let s =
        TestServer::with(backend, |c| c.registration_allowed_domains = vec!["nhs.net".into()], relaxed_limits()).await;
    let admin = make_admin(&s, "admin").await;
    set_policy(&s, &admin, "Never post anything that could identify a patient.\n\nBe kind.").await;
    // Someone who is not an admin cannot see or change the policy page.
    s.user("plain").await;
    let plain = sign_in(&s, &email("plain")).await;
    assert_eq!(get(&s, "/admin/policy", &plain).await.status, StatusCode::FORBIDDEN);
    let users_before = s.count("users").await;

    let (cookie, token) = sign_up_form(&s).await;
    // Everything wrong at once: every problem is listed, nothing is written.
    let r = post(
        &s,
        "/sign-up",
        &cookie,
        &[("username", "x y"), ("email", "nope"), ("password", "short"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("nhsuk-error-summary") && r.text.contains("<title>Error: Create an account"), "{}", r.text);
    assert!(r.text.contains("href=\"#agreement\""), "{}", r.text);
    // An address outside the allow-list.
    let r = post(
        &s,
        "/sign-up",
        &cookie,
        &[
            ("username", "nina"),
            ("email", "nina@gmail.com"),
            ("password", PASSWORD),
            ("agreement", "true"),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("<a href=\"#email\">Email must be an address at one of: nhs.net</a>"), "{}", r.text);
    assert!(r.text.contains("value=\"nina\""), "the username is kept");
    // No CSRF token: refused.
    let r = post(&s, "/sign-up", "", &[("username", "nina"), ("email", "nina@nhs.net"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(s.count("users").await, users_before, "nothing half-written");

    let r = post(
        &s,
        "/sign-up",
        &cookie,
        &[
            ("username", "nina"),
            ("email", "nina@nhs.net"),
            ("password", PASSWORD),
            ("agreement", "true"),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], "/start");
    let nina = cookie_pair(&set_cookie(&r, "canteen_session").expect("signed in"));

    // The policy is waiting: home sends her to first run.
    let r = get(&s, "/", &nina).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/start"));
    let start = get(&s, "/start", &nina).await;
    assert!(start.text.contains("Never post anything that could identify a patient."), "{}", start.text);
    assert!(start.text.contains("For friends and family") && start.text.contains("id=\"mode-cross_over\""));
    let token = csrf_field(&start.text);
    let version = start.text.split("name=\"policy_version\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    // Not acknowledged: an error, and still sent back.
    let r = post(&s, "/start", &nina, &[("mode", "professional"), ("policy_version", version), ("csrf_token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("<a href=\"#acknowledge\">Confirm that you have read"), "{}", r.text);
    let r = post(
        &s,
        "/start",
        &nina,
        &[("mode", "professional"), ("acknowledge", "true"), ("policy_version", version), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.headers["location"], "/start/privacy", "{}", r.text);
    let checkup = get(&s, "/start/privacy", &nina).await;
    assert!(checkup.text.contains("<strong>Professional</strong>"), "{}", checkup.text);
    assert!(checkup.text.contains("Anyone, including people who are not signed in"), "{}", checkup.text);
    let r = get(&s, "/", &nina).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("<h1>Home</h1>"));
    // The profile took the mode's settings: public and discoverable.
    let acct = s.get("/api/v1/accounts/lookup?acct=nina", None).await;
    assert_eq!(acct.json["discoverable"], json!(true), "{}", acct.text);
    assert_eq!(acct.json["locked"], json!(false));

    // The admin changes the policy: everyone is asked again.
    set_policy(&s, &admin, "New policy: think before you post.").await;
    let r = get(&s, "/", &nina).await;
    assert_eq!(r.headers["location"], "/start");
    // An acknowledgement of the old version no longer counts.
    let start = get(&s, "/start", &nina).await;
    assert!(start.text.contains("New policy: think before you post."));
    let r = post(
        &s,
        "/start",
        &nina,
        &[("mode", "professional"), ("acknowledge", "true"), ("policy_version", version), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("The policy changed while you were reading it"), "{}", r.text);
}

async fn admin_pages(backend: Backend) {
    let s = TestServer::new(backend).await;
    let admin = make_admin(&s, "admin").await;
    let (_, bob_api) = s.signed_in("bob").await;
    let bob = sign_in(&s, &email("bob")).await;
    assert_eq!(get(&s, "/admin", &bob).await.status, StatusCode::FORBIDDEN, "not for everyone");
    let page = get(&s, "/admin", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("href=\"/admin\""), "admins get a menu link");
    let token = csrf_field(&page.text);
    // Without the page's token nothing happens; a non-admin with a token is refused.
    assert_eq!(
        post(&s, "/admin/accounts", &admin, &[("username", "bob"), ("action", "suspend")]).await.status,
        StatusCode::FORBIDDEN
    );
    let bob_token = csrf_field(&get(&s, "/", &bob).await.text);
    let r =
        post(&s, "/admin/accounts", &bob, &[("username", "admin"), ("action", "suspend"), ("csrf_token", &bob_token)])
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Suspending bob signs him out of the browser and revokes his app.
    let r = post(&s, "/admin/accounts", &admin, &[("username", "bob"), ("action", "suspend"), ("csrf_token", &token)])
        .await;
    assert_eq!(r.headers["location"], "/admin?done=suspend", "{}", r.text);
    assert!(!get(&s, "/", &bob).await.text.contains("action=\"/sign-out\""));
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&bob_api)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&s, "/@bob", "").await.status, StatusCode::NOT_FOUND);
    let r =
        post(&s, "/admin/accounts", &admin, &[("username", "bob"), ("action", "unsuspend"), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&s, "/@bob", "").await.status, StatusCode::OK);
    // Unknown profiles and oneself: a clear error on the page.
    let r =
        post(&s, "/admin/accounts", &admin, &[("username", "nobody"), ("action", "suspend"), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("No local account named"), "{}", r.text);
    let r =
        post(&s, "/admin/accounts", &admin, &[("username", "admin"), ("action", "suspend"), ("csrf_token", &token)])
            .await;
    assert!(r.text.contains("You cannot suspend yourself"), "{}", r.text);

    // Rules appear at sign-up.
    let r = post(&s, "/admin/rules", &admin, &[("rule", "No patient details, ever."), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get(&s, "/sign-up", "").await.text.contains("No patient details, ever."));
    let r = post(&s, "/admin/rules", &admin, &[("rule", "  "), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The guard policy: an invalid one is refused whole; a valid one takes effect at once.
    let r = post(&s, "/admin/guard-policy", &admin, &[("guard_policy", "{not json"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("The guard policy is not valid"), "{}", r.text);
    assert!(r.text.contains("{not json"), "what was typed is kept");
    let mut policy: serde_json::Value = serde_json::from_str(&canteen_guard::Policy::default().to_json()).unwrap();
    policy["categories"]["date_of_birth"] = json!("block");
    let r =
        post(&s, "/admin/guard-policy", &admin, &[("guard_policy", &policy.to_string()), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let check = post(
        &s,
        "/compose/check",
        &admin,
        &[
            ("status", "Happy birthday to my neighbour, born on 12/03/1956"),
            ("visibility", "public"),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(check.json["verdict"], "block", "{}", check.text);
}

async fn approval_and_closed_registration(backend: Backend) {
    let s = TestServer::with(backend, |c| c.registration_mode = RegistrationMode::Approval, relaxed_limits()).await;
    let (cookie, token) = sign_up_form(&s).await;
    let form = [
        ("username", "olu"),
        ("email", "olu@example.nhs.uk"),
        ("password", PASSWORD),
        ("agreement", "true"),
        ("csrf_token", &token),
    ];
    let r = post(&s, "/sign-up", &cookie, &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("Your account is waiting for approval"), "{}", r.text);
    assert!(set_cookie(&r, "canteen_session").is_none(), "not signed in until approved");
    assert_eq!(s.count("users").await, 1);

    let s = TestServer::with(backend, |c| c.registration_mode = RegistrationMode::Closed, relaxed_limits()).await;
    let r = get(&s, "/sign-up", "").await;
    assert!(r.text.contains("not taking new accounts") && !r.text.contains("action=\"/sign-up\""), "{}", r.text);
    // A hand-made post (the form is not even shown) is refused by the same rule as the API.
    let (cookie, token) = crate::web::sign_in_form(&s).await;
    let form = [
        ("username", "olu"),
        ("email", "olu@example.nhs.uk"),
        ("password", PASSWORD),
        ("agreement", "true"),
        ("csrf_token", &token),
    ];
    let r = post(&s, "/sign-up", &cookie, &form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("Registrations are closed on this server"), "{}", r.text);
    assert_eq!(s.count("users").await, 0);
}

/// Whether the input with `id` is checked.
fn checked(html: &str, id: &str) -> bool {
    let at = html.find(&format!("id=\"{id}\"")).expect("the input");
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    tag.contains(" checked")
}

/// Admins change who may sign up while the server runs, approve waiting sign-ups and give
/// roles; the API's instance document and the sign-up form follow at once.
async fn admin_sign_ups_and_roles(backend: Backend) {
    let s = TestServer::new(backend).await;
    let admin = make_admin(&s, "root").await;
    s.user("bob").await;
    let bob = sign_in(&s, &email("bob")).await;
    assert_eq!(get(&s, "/admin/sign-ups", &bob).await.status, StatusCode::FORBIDDEN);
    let page = get(&s, "/admin/sign-ups", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(checked(&page.text, "mode-open"), "the config's mode to start with");
    let token = csrf_field(&page.text);

    // Every bad domain is named, and nothing is saved.
    let r = post(
        &s,
        "/admin/registration",
        &admin,
        &[("mode", "approval"), ("allowed_domains", "nhs.net\nnot a domain"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("These are not email domains: not, a, domain"), "{}", r.text);
    assert!(checked(&r.text, "mode-approval"), "what was chosen is kept");
    assert_eq!(s.get("/api/v1/instance", None).await.json["approval_required"], false);
    // A non-admin's hand-made post is refused.
    let bob_token = csrf_field(&get(&s, "/", &bob).await.text);
    let r = post(&s, "/admin/registration", &bob, &[("mode", "open"), ("csrf_token", &bob_token)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = post(
        &s,
        "/admin/registration",
        &admin,
        &[("mode", "approval"), ("allowed_domains", "nhs.net\n@Example.NHS.uk"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let instance = s.get("/api/v1/instance", None).await;
    assert_eq!(instance.json["approval_required"], true, "{}", instance.text);
    assert_eq!(s.get("/api/v2/instance", None).await.json["registrations"]["approval_required"], true);
    assert!(get(&s, "/sign-up", "").await.text.contains("example.nhs.uk"), "the form names the allowed domains");

    let (cookie, form_token) = sign_up_form(&s).await;
    let sign_up = |username: &'static str, address: &'static str| {
        let (s, cookie, form_token) = (&s, cookie.clone(), form_token.clone());
        async move {
            let form = [
                ("username", username),
                ("email", address),
                ("password", PASSWORD),
                ("agreement", "true"),
                ("csrf_token", form_token.as_str()),
            ];
            post(s, "/sign-up", &cookie, &form).await
        }
    };
    let r = sign_up("gmail_user", "someone@gmail.com").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Email must be an address at one of: nhs.net, example.nhs.uk"), "{}", r.text);
    let r = sign_up("olu", "olu@example.nhs.uk").await;
    assert!(r.text.contains("Your account is waiting for approval"), "{}", r.text);
    let page = get(&s, "/admin/sign-ups", &admin).await;
    assert!(page.text.contains("<strong>@olu</strong> · olu@example.nhs.uk"), "{}", page.text);
    let r = post(&s, "/admin/sign-ups/approve", &admin, &[("username", "olu"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get(&s, "/admin/sign-ups", &admin).await.text.contains("Nobody is waiting."));
    let (cookie, form_token) = crate::web::sign_in_form(&s).await;
    let r = post(
        &s,
        "/sign-in",
        &cookie,
        &[("email", "olu@example.nhs.uk"), ("password", PASSWORD), ("csrf_token", &form_token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "approved, so olu can sign in: {}", r.text);

    // Roles: never one's own; an unknown name is a form error.
    let role = |who: &'static str, role: &'static str| {
        let (s, admin, token) = (&s, admin.clone(), token.clone());
        async move {
            post(s, "/admin/roles", &admin, &[("role_username", who), ("role", role), ("csrf_token", &token)]).await
        }
    };
    let r = role("root", "user").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "shown on the form");
    assert!(r.text.contains("You cannot change your own role"), "{}", r.text);
    let r = role("nobody", "moderator").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("No local account named nobody") && r.text.contains("href=\"#role_username\""));
    assert_eq!(role("bob", "wizard").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(role("bob", "admin").await.status, StatusCode::SEE_OTHER);
    let page = get(&s, "/admin/sign-ups?done=role", &admin).await;
    assert!(page.text.contains("<td class=\"nhsuk-table__cell\">@bob</td><td class=\"nhsuk-table__cell\">admin</td>"));
    assert_eq!(get(&s, "/admin", &bob).await.status, StatusCode::OK, "bob is an admin now");
}

async fn compose_with_the_guard(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let alice = sign_in(&s, &email("alice")).await;
    let home = get(&s, "/", &alice).await;
    assert!(home.text.contains("action=\"/compose\"") && home.text.contains("Who can see this post?"), "{}", home.text);
    let token = csrf_field(&home.text);

    // A block: refused, the number highlighted, the reason in plain words, nothing saved.
    let text = "Lovely chat with the patient, NHS number 943 476 5919, before discharge";
    let r = compose(&s, &alice, &[("status", text), ("visibility", "public"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("This post cannot be sent"), "{}", r.text);
    assert!(r.text.contains("<mark>943 476 5919</mark>"), "{}", r.text);
    assert!(r.text.contains("looks like a valid NHS number"), "{}", r.text);
    assert!(!r.text.contains("name=\"confirm\""), "a block cannot be acknowledged");
    assert_eq!(s.count("statuses").await, 0);
    // Acknowledging a block does nothing either.
    let r = compose(
        &s,
        &alice,
        &[("status", text), ("visibility", "public"), ("confirm", "true"), ("guard_ack", "x"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.count("statuses").await, 0);

    // The live check (as compose.js calls it) says the same as JSON, with byte spans.
    let r =
        post(&s, "/compose/check", &alice, &[("status", text), ("visibility", "public"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["verdict"], "block");
    let f = &r.json["findings"][0];
    assert_eq!(f["category"], "nhs_number");
    let (a, b) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&r.json["checked"].as_str().unwrap()[a..b], "943 476 5919");
    assert_eq!(post(&s, "/compose/check", &alice, &[("status", text)]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(post(&s, "/compose/check", "", &[("status", text)]).await.status, StatusCode::UNAUTHORIZED);

    // A warning: shown with a checkbox; sent once confirmed for exactly this text.
    let warn = "Happy birthday to my neighbour, born on 12/03/1956, from all of us";
    let r = compose(&s, &alice, &[("status", warn), ("visibility", "public"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("Check this post before you send it") && r.text.contains("name=\"confirm\""), "{}", r.text);
    let ack = r.text.split("name=\"guard_ack\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    // Not ticked: still refused.
    let r =
        compose(&s, &alice, &[("status", warn), ("visibility", "public"), ("guard_ack", &ack), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Ticked, but the text changed since: checked again.
    let changed = format!("{warn}!");
    let r = compose(
        &s,
        &alice,
        &[
            ("status", &changed),
            ("visibility", "public"),
            ("guard_ack", &ack),
            ("confirm", "true"),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.count("statuses").await, 0);
    let r = compose(
        &s,
        &alice,
        &[
            ("status", warn),
            ("visibility", "private"),
            ("guard_ack", &ack),
            ("confirm", "true"),
            ("csrf_token", &token),
        ],
    )
    .await;
    // The audience is part of the check: the same words to followers may be judged alike,
    // but the fingerprint is of this report. Either way, confirming the report shown sends it.
    if r.status == StatusCode::UNPROCESSABLE_ENTITY {
        let ack = r.text.split("name=\"guard_ack\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = post(
            &s,
            "/compose",
            &alice,
            &[
                ("status", warn),
                ("visibility", "private"),
                ("guard_ack", &ack),
                ("confirm", "true"),
                ("csrf_token", &token),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    } else {
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    }
    assert_eq!(s.count("statuses").await, 1);
    assert!(s.count("guard_acknowledgements").await >= 1, "the acknowledgement is audited");
    let r = get(&s, "/?posted=now", &alice).await;
    assert!(r.text.contains("Your post has been sent."));
    let mine = s.get("/api/v1/accounts/lookup?acct=alice", None).await;
    let statuses = s.get(&format!("/api/v1/accounts/{}/statuses", mine.json["id"].as_str().unwrap()), None).await;
    assert_eq!(statuses.json.as_array().unwrap().len(), 0, "followers-only: not shown to the public");

    // Written in anger: "wait an hour" is offered, and schedules the post.
    let angry = "I am absolutely furious. Third night shift in a row with no break, management never listen and the rota is a joke!!";
    let r = compose(&s, &alice, &[("status", angry), ("visibility", "public"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("Wait an hour, then post it"), "{}", r.text);
    let ack = r.text.split("name=\"guard_ack\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = compose(
        &s,
        &alice,
        &[
            ("status", angry),
            ("visibility", "public"),
            ("guard_ack", &ack),
            ("action", "later"),
            ("csrf_token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], "/?posted=later");
    assert_eq!(s.count("scheduled_statuses").await, 1);
    assert_eq!(s.count("statuses").await, 1, "not posted yet");

    // No audience chosen, or no token: refused plainly.
    let r = compose(&s, &alice, &[("status", "Hello"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Choose who can see this post"));
    assert_eq!(
        compose(&s, &alice, &[("status", "Hello"), ("visibility", "public")]).await.status,
        StatusCode::FORBIDDEN
    );
    let r = compose(&s, &alice, &[("status", "Hello from the ward"), ("visibility", "public"), ("csrf_token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(s.count("statuses").await, 2);
}

async fn compose_with_a_picture(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let alice = sign_in(&s, &email("alice")).await;
    let token = csrf_field(&get(&s, "/", &alice).await.text);
    let jpeg = support::jpeg_with_gps();
    let base =
        [("status", "Our new garden for the day unit"), ("visibility", "public"), ("csrf_token", token.as_str())];
    // No description: refused before anything is stored.
    let r = compose_with(&s, &alice, &base, Some(&jpeg)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("<a href=\"#image_description\">Describe the picture"), "{}", r.text);
    assert_eq!(s.count("media_attachments").await, 0);
    // Described, but nobody confirmed no patient is in it: the guard asks (the default policy
    // warns), and the picture is kept for the next try.
    let mut pairs = base.to_vec();
    pairs.push(("image_description", "Raised beds and a bench in the sun"));
    let r = compose_with(&s, &alice, &pairs, Some(&jpeg)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("Picture:"), "the photo finding: {}", r.text);
    assert!(r.text.contains("A picture is attached to this post."));
    assert_eq!(s.count("media_attachments").await, 1);
    let media_id = r.text.split("name=\"media_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(s.count("statuses").await, 0);
    // Confirmed: posted with the picture and its description.
    pairs.push(("media_id", &media_id));
    pairs.push(("image_no_patient", "true"));
    let r = compose(&s, &alice, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let me = s.get("/api/v1/accounts/lookup?acct=alice", None).await.json;
    let posts = s.get(&format!("/api/v1/accounts/{}/statuses", me["id"].as_str().unwrap()), None).await.json;
    let media = &posts[0]["media_attachments"][0];
    assert_eq!(media["description"], "Raised beds and a bench in the sun", "{posts}");
    // Someone else's upload cannot be attached.
    s.user("bob").await;
    let bob = sign_in(&s, &email("bob")).await;
    let bob_token = csrf_field(&get(&s, "/", &bob).await.text);
    let r = compose(
        &s,
        &bob,
        &[
            ("status", "Look"),
            ("visibility", "public"),
            ("media_id", &media_id),
            ("image_description", "x"),
            ("image_no_patient", "true"),
            ("csrf_token", &bob_token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A form that is not multipart at all is a clear 400 page, not a crash.
    let r = post(&s, "/compose", &alice, &[("status", "x")]).await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

async fn compose_with_a_poll(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let alice = sign_in(&s, &email("alice")).await;
    let token = csrf_field(&get(&s, "/", &alice).await.text);
    let base =
        [("status", "Which day suits the team huddle?"), ("visibility", "public"), ("csrf_token", token.as_str())];
    // One choice is not a poll: the error links to the choices, the typed choice is kept.
    let mut pairs = base.to_vec();
    pairs.push(("poll_option_1", "Monday"));
    let r = compose(&s, &alice, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("<a href=\"#poll_option_1\">A poll needs 2 to"), "{}", r.text);
    assert!(r.text.contains("value=\"Monday\""));
    // The guard reads the choices too.
    let mut pairs = base.to_vec();
    pairs.extend([("poll_option_1", "Monday"), ("poll_option_2", "Patient 943 476 5919's bed")]);
    let r = compose(&s, &alice, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("<mark>943 476 5919</mark>"), "{}", r.text);
    assert_eq!(s.count("statuses").await, 0);
    let mut pairs = base.to_vec();
    pairs.extend([
        ("poll_option_1", "Monday"),
        ("poll_option_2", "Thursday"),
        ("poll_expires_in", "259200"),
        ("poll_multiple", "true"),
    ]);
    let r = compose(&s, &alice, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let me = s.get("/api/v1/accounts/lookup?acct=alice", None).await.json;
    let posts = s.get(&format!("/api/v1/accounts/{}/statuses", me["id"].as_str().unwrap()), None).await.json;
    let poll = &posts[0]["poll"];
    assert_eq!(poll["options"].as_array().unwrap().len(), 2, "{posts}");
    assert_eq!(poll["multiple"], json!(true));
}

async fn locked_follow_and_stranger_view(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (_, bob_api) = s.signed_in("bob").await;
    s.user("alice").await;
    // Bob: locked, with a public job title and a hidden employer.
    let r = s
        .form(
            axum::http::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&bob_api),
            &[
                ("locked", "true"),
                ("canteen[job_title]", "Staff nurse"),
                ("canteen[job_title_visibility]", "public"),
                ("canteen[employer]", "Northtown Hospital"),
                ("canteen[employer_visibility]", "only_me"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    s.post(&bob_api, json!({"status": "Public hello", "visibility": "public"})).await;
    s.post(&bob_api, json!({"status": "Followers only news", "visibility": "private"})).await;
    let alice = sign_in(&s, &email("alice")).await;
    let bob = sign_in(&s, &email("bob")).await;

    let page = get(&s, "/@bob", &alice).await;
    assert!(page.text.contains("Ask to follow"), "{}", page.text);
    assert!(page.text.contains("Staff nurse") && !page.text.contains("Northtown Hospital"), "{}", page.text);
    assert!(page.text.contains("Public hello") && !page.text.contains("Followers only news"));
    let r = post(&s, "/@bob/follow", &alice, &[("csrf_token", &csrf_field(&page.text))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(get(&s, "/@bob", &alice).await.text.contains("Withdraw request"));
    // Without the token nothing happens.
    assert_eq!(post(&s, "/@bob/follow", &alice, &[]).await.status, StatusCode::FORBIDDEN);

    let requests = get(&s, "/follow-requests", &bob).await;
    assert!(requests.text.contains("@alice"), "{}", requests.text);
    let action =
        requests.text.split("action=\"/follow-requests/").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(action.ends_with("/approve"), "{action}");
    let r = post(&s, &format!("/follow-requests/{action}"), &bob, &[("csrf_token", &csrf_field(&requests.text))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(get(&s, "/follow-requests", &bob).await.text.contains("Nobody is waiting"));

    let page = get(&s, "/@bob", &alice).await;
    assert!(page.text.contains("You follow") && page.text.contains("Followers only news"), "{}", page.text);
    s.run_jobs().await;

    // Bob sees his own profile as a stranger: the public post and the public detail only.
    let own = get(&s, "/@bob", &bob).await;
    assert!(own.text.contains("Northtown Hospital"), "the owner sees everything: {}", own.text);
    assert!(own.text.contains("href=\"/@bob?view=stranger\""));
    let stranger = get(&s, "/@bob?view=stranger", &bob).await;
    assert!(
        stranger.text.contains("This is how your profile looks to someone who does not follow you"),
        "{}",
        stranger.text
    );
    assert!(stranger.text.contains("Public hello") && stranger.text.contains("Staff nurse"));
    assert!(
        !stranger.text.contains("Followers only news") && !stranger.text.contains("Northtown Hospital"),
        "{}",
        stranger.text
    );
    // …which is exactly what a signed-out visitor gets.
    let anonymous = get(&s, "/@bob", "").await;
    assert!(anonymous.text.contains("Public hello") && !anonymous.text.contains("Followers only news"));
    assert!(!anonymous.text.contains("Northtown Hospital"));
}

/// Opens `/live/home` with a session cookie.
async fn live_open(s: &TestServer, cookie: &str) -> axum::http::Response<axum::body::Body> {
    use tower::ServiceExt;
    // Browsers ask for gzip; a compressed event stream would be held back, so it must not be.
    let req = axum::http::Request::get("/live/home")
        .header("cookie", cookie)
        .header("accept-encoding", "gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    s.router.clone().oneshot(req).await.unwrap()
}

async fn pages_and_assets_are_gzipped(backend: Backend) {
    let s = TestServer::new(backend).await;
    let css = canteen_web::assets::nhsuk("nhsuk-frontend.min.css");
    for path in ["/sign-in", css.as_str()] {
        let req =
            axum::http::Request::get(path).header("accept-encoding", "gzip").body(axum::body::Body::empty()).unwrap();
        let r = s.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.headers["content-encoding"], "gzip", "{path}");
        assert!(r.headers.contains_key("content-security-policy"), "{path}: the security headers stay");
    }
    // The stylesheet is 278 KB raw; gzipped it is a fraction.
    let req = axum::http::Request::get(css.as_str())
        .header("accept-encoding", "gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = s.send(req).await;
    assert!(r.text.chars().count() < 100 * 1024, "{} bytes", r.text.chars().count());
}

async fn live_new_posts(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (bob_account, bob_api) = s.signed_in("bob").await;
    let (_, alice_api) = s.signed_in("alice").await;
    let r = s
        .form(axum::http::Method::POST, &format!("/api/v1/accounts/{}/follow", bob_account.id.0), Some(&alice_api), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let alice = sign_in(&s, &email("alice")).await;
    assert_eq!(live_open(&s, "").await.status(), StatusCode::UNAUTHORIZED);
    let res = live_open(&s, &alice).await;
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    assert!(res.headers().get("content-encoding").is_none(), "the event stream is not compressed");
    let mut stream = res.into_body().into_data_stream();
    let posted = s.post(&bob_api, json!({"status": "Shift swap board is up", "visibility": "private"})).await;
    s.run_jobs().await;
    let seen = support::sse_read_until(&mut stream, |e, _| e == "post").await;
    let id = posted["id"].as_str().unwrap();
    assert!(seen.iter().any(|(e, v)| e == "post" && v.to_string().contains(id)), "{seen:?}");
}

async fn forgotten_password_by_email(backend: Backend) {
    let outbox = tempfile::tempdir().unwrap();
    let dir = outbox.path().to_path_buf();
    let s = TestServer::with(
        backend,
        |c| c.mail_transport = canteen_app::mail::MailTransport::Outbox(dir),
        relaxed_limits(),
    )
    .await;
    s.user("alice").await;
    let old_session = sign_in(&s, &email("alice")).await;
    let old_token = s.token_for("alice", "read").await;

    let r = get(&s, "/forgot-password", "").await;
    let (cookie, token) = (cookie_pair(&set_cookie(&r, "canteen_csrf").unwrap()), csrf_field(&r.text));
    // An unknown address gets the same answer, and no mail.
    let r = post(&s, "/forgot-password", &cookie, &[("email", "nobody@example.nhs.uk"), ("csrf_token", &token)]).await;
    assert!(r.text.contains("Check your email"), "{}", r.text);
    assert_eq!(s.run_jobs().await, 0);
    let r = post(&s, "/forgot-password", &cookie, &[("email", "not an address"), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(&s, "/forgot-password", &cookie, &[("email", &email("alice")), ("csrf_token", &token)]).await;
    assert!(r.text.contains("Check your email"));
    assert_eq!(s.run_jobs().await, 1);
    let mails: Vec<_> = std::fs::read_dir(outbox.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = std::fs::read_to_string(&mails[0]).unwrap();
    assert!(
        mail.contains("To: alice@example.nhs.uk\r\n") && mail.contains("Subject: Reset your Canteen password"),
        "{mail}"
    );
    let link = mail.lines().find(|l| l.contains("/reset-password/")).unwrap().trim().to_string();
    let path = &link[link.find("/reset-password/").unwrap()..];
    assert_eq!(
        s.count("jobs WHERE payload LIKE '%reset-password%'").await,
        0,
        "the secret is not kept in the job table"
    );

    let r = get(&s, path, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (cookie, token) = (cookie_pair(&set_cookie(&r, "canteen_csrf").unwrap()), csrf_field(&r.text));
    let r = post(
        &s,
        path,
        &cookie,
        &[("password", "a new long password"), ("password_confirmation", "different"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("The passwords do not match"));
    let r =
        post(&s, path, &cookie, &[("password", "short"), ("password_confirmation", "short"), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Password is too short"), "{}", r.text);
    let new = "a new long password";
    let r = post(&s, path, &cookie, &[("password", new), ("password_confirmation", new), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("Your password has been changed"));
    // Signed out everywhere: the browser session and the app's token.
    assert!(!get(&s, "/", &old_session).await.text.contains("action=\"/sign-out\""));
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&old_token)).await.status, StatusCode::UNAUTHORIZED);
    // The link is used up; the old password no longer works, the new one does.
    assert_eq!(get(&s, path, "").await.status, StatusCode::NOT_FOUND);
    let (cookie, token) = crate::web::sign_in_form(&s).await;
    let r =
        post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", PASSWORD), ("csrf_token", &token)])
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        post(&s, "/sign-in", &cookie, &[("email", &email("alice")), ("password", new), ("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

/// A minimal SMTP relay on loopback: accepts one message and returns what it was given.
async fn fake_relay() -> (u16, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (r, mut w) = sock.into_split();
        let mut r = BufReader::new(r);
        let mut transcript = String::new();
        w.write_all(b"220 relay ready\r\n").await.unwrap();
        let mut in_data = false;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            transcript.push_str(&line);
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    w.write_all(b"250 queued\r\n").await.unwrap();
                }
                continue;
            }
            let reply: &[u8] = match line.get(..4).unwrap_or("") {
                "EHLO" => b"250-relay\r\n250 8BITMIME\r\n",
                "MAIL" | "RCPT" => b"250 ok\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go on\r\n"
                }
                "QUIT" => {
                    w.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"500 what\r\n",
            };
            w.write_all(reply).await.unwrap();
        }
        transcript
    });
    (port, handle)
}

async fn password_reset_over_smtp(backend: Backend) {
    let (port, relay) = fake_relay().await;
    let s = TestServer::with(
        backend,
        |c| c.mail_transport = canteen_app::mail::MailTransport::Smtp { host: "127.0.0.1".into(), port },
        relaxed_limits(),
    )
    .await;
    s.user("alice").await;
    canteen_app::password_reset::request(&s.app, &email("alice")).await.unwrap();
    assert_eq!(s.run_jobs().await, 1);
    let transcript = tokio::time::timeout(std::time::Duration::from_secs(10), relay).await.unwrap().unwrap();
    assert!(transcript.contains("RCPT TO:<alice@example.nhs.uk>"), "{transcript}");
    assert!(transcript.contains("/reset-password/"), "{transcript}");

    // The relay is down: the job fails and stays queued for a retry (nothing is lost).
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = TestServer::with(
        backend,
        |c| c.mail_transport = canteen_app::mail::MailTransport::Smtp { host: "127.0.0.1".into(), port: gone },
        relaxed_limits(),
    )
    .await;
    s.user("alice").await;
    canteen_app::password_reset::request(&s.app, &email("alice")).await.unwrap();
    s.run_jobs().await;
    assert_eq!(s.count("jobs WHERE kind = 'mail.password_reset' AND attempts = 1").await, 1);
}

async fn settings_sessions_and_apps(backend: Backend) {
    let s = TestServer::new(backend).await;
    s.user("alice").await;
    let alice = sign_in(&s, &email("alice")).await;
    let settings = get(&s, "/settings", &alice).await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.text);
    let token = csrf_field(&settings.text);
    let profile = |name: &str, employer_vis: &str| {
        vec![
            ("display_name".to_string(), name.to_string()),
            ("note".into(), "Nights on the acute medical unit".into()),
            ("job_title".into(), "Ward sister".into()),
            ("job_title_visibility".into(), "public".into()),
            ("employer".into(), "Northtown Hospital".into()),
            ("employer_visibility".into(), employer_vis.into()),
            ("csrf_token".into(), token.clone()),
        ]
    };
    let as_pairs = |v: &Vec<(String, String)>| v.iter().map(|(a, b)| (a.clone(), b.clone())).collect::<Vec<_>>();
    // Too long a name: the error, what was typed kept, nothing saved.
    let long = profile(&"A".repeat(200), "only_me");
    let pairs = as_pairs(&long);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = post(&s, "/settings/profile", &alice, &refs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("href=\"#display_name\"") && r.text.contains("Ward sister"), "{}", r.text);
    assert!(!get(&s, "/@alice", "").await.text.contains("Ward sister"), "nothing half-written");
    let good = profile("Alice Ward", "only_me");
    let pairs = as_pairs(&good);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = post(&s, "/settings/profile", &alice, &refs).await;
    assert_eq!(r.headers["location"], "/settings?saved=1", "{}", r.text);
    let public = get(&s, "/@alice", "").await.text;
    assert!(public.contains("Alice Ward") && public.contains("Ward sister"), "{public}");
    assert!(!public.contains("Northtown Hospital"), "an only-me detail shown to the public");
    assert!(get(&s, "/@alice", &alice).await.text.contains("Northtown Hospital"), "the owner sees it");

    // High privacy wins over a box ticked in the same form.
    let r = post(
        &s,
        "/settings/privacy",
        &alice,
        &[("high", "true"), ("discoverable", "true"), ("default_visibility", "public"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let acct = s.get("/api/v1/accounts/lookup?acct=alice", None).await.json;
    assert_eq!((acct["locked"].clone(), acct["discoverable"].clone()), (json!(true), json!(false)), "{acct}");

    // Sessions: another browser is listed and can be signed out from here.
    let other = sign_in(&s, &email("alice")).await;
    let page = get(&s, "/settings/sessions", &alice).await;
    assert_eq!(
        page.text.matches("<tr class=\"nhsuk-table__row\">").count(),
        3,
        "a header and two sessions: {}",
        page.text
    );
    assert!(page.text.contains("This browser"));
    let end = page.text.split("action=\"/settings/sessions/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = post(&s, &format!("/settings/sessions/{end}"), &alice, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!get(&s, "/", &other).await.text.contains("action=\"/sign-out\""), "the other browser is signed out");
    assert!(get(&s, "/", &alice).await.text.contains("action=\"/sign-out\""), "this one is not");
    // Someone else's session id: not found, nothing ended.
    assert_eq!(
        post(&s, "/settings/sessions/1/end", &alice, &[("csrf_token", &token)]).await.status,
        StatusCode::NOT_FOUND
    );

    // Apps: a Mastodon app's token is listed, and removing the app revokes it.
    let app_token = s.token_for("alice", "read").await;
    let page = get(&s, "/settings/sessions", &alice).await;
    assert!(page.text.contains("Test app"), "{}", page.text);
    let revoke = page.text.split("action=\"/settings/apps/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = post(&s, &format!("/settings/apps/{revoke}"), &alice, &[("csrf_token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(s.get("/api/v1/accounts/verify_credentials", Some(&app_token)).await.status, StatusCode::UNAUTHORIZED);
    assert!(get(&s, "/settings/sessions", &alice).await.text.contains("No apps can use your account."));
    // Without the form's token, nothing happens.
    assert_eq!(post(&s, "/settings/privacy", &alice, &[("locked", "true")]).await.status, StatusCode::FORBIDDEN);
}

backend_tests!(
    admin_pages,
    admin_sign_ups_and_roles,
    settings_sessions_and_apps,
    compose_with_a_picture,
    compose_with_a_poll,
    sign_up_and_first_run,
    approval_and_closed_registration,
    compose_with_the_guard,
    locked_follow_and_stranger_view,
    live_new_posts,
    pages_and_assets_are_gzipped,
    forgotten_password_by_email,
    password_reset_over_smtp
);
