//! The admin pages (admins only): `GET/POST /admin/policy`, the organisation's social-media
//! policy, which everyone acknowledges at first run and again whenever its text changes;
//! `GET /admin` with `POST /admin/accounts` (suspend, unsuspend, approve), `/admin/rules` and
//! `/admin/guard-policy`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use canteen_app::web::WebSession;
use canteen_app::{App, AppError, onboarding};
use canteen_domain::account::Role;
use serde::Deserialize;

use crate::forms::{Errors, see_other, session_for_form};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "admin_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    csrf_token: String,
    text: String,
    acknowledged: i64,
    saved: bool,
    errors: Errors,
}

pub(crate) fn admin(visitor: &Visitor) -> Result<&WebSession, Box<Response>> {
    match &visitor.session {
        None => Err(Box::new(see_other("/sign-in"))),
        Some(s) if s.user.role != Role::Admin => {
            Err(Box::new(pages::forbidden(Some(s), "Only administrators can use the admin pages.")))
        }
        Some(s) => Ok(s),
    }
}

async fn page(app: &App, session: &WebSession, text: Option<String>, saved: bool, errors: Errors) -> Response {
    let (current, acknowledged) = match (onboarding::policy(app).await, onboarding::acknowledgement_count(app).await) {
        (Ok(p), Ok(n)) => (p.map(|p| p.text).unwrap_or_default(), n),
        (Err(e), _) | (_, Err(e)) => return pages::internal_error(&e),
    };
    let status = errors.status();
    let title = errors.title("Social-media policy");
    let page = PolicyPage {
        chrome: Chrome::new(title, Some(session)),
        csrf_token: session.csrf_token.clone(),
        text: text.unwrap_or(current),
        acknowledged,
        saved,
        errors,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/policy`.
pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Response {
    match admin(&visitor) {
        Ok(s) => page(&app, s, None, q.saved.is_some(), Errors::default()).await,
        Err(res) => *res,
    }
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    policy: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /admin/policy`.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<PolicyForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token).and_then(|_| admin(&visitor)) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let auth = match session.auth() {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    match onboarding::set_policy(&app, &auth, &f.policy).await {
        Ok(_) => see_other("/admin/policy?saved=1"),
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_))) => {
            let errors = Errors::from_app(&e, &[("policy", "policy")], "policy").unwrap_or_default();
            page(&app, session, Some(f.policy), false, errors).await
        }
        Err(e) => pages::internal_error(&e),
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    chrome: Chrome,
    csrf_token: String,
    rules: Vec<String>,
    guard_policy: String,
    notice: Option<String>,
    errors: Errors,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

async fn admin_page(
    app: &App,
    session: &WebSession,
    notice: Option<String>,
    guard_policy: Option<String>,
    errors: Errors,
) -> Response {
    let (rules, policy) = match (canteen_app::instance::rules(app).await, canteen_app::guard::policy(app).await) {
        (Ok(r), Ok(p)) => (r, p),
        (Err(e), _) | (_, Err(e)) => return pages::internal_error(&e),
    };
    let status = errors.status();
    let title = errors.title("Administration");
    let page = AdminPage {
        chrome: Chrome::new(title, Some(session)),
        csrf_token: session.csrf_token.clone(),
        rules: rules.into_iter().map(|r| r.text).collect(),
        guard_policy: guard_policy.unwrap_or_else(|| pretty(&policy.to_json())),
        notice,
        errors,
    };
    render(status, &page)
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_string())
}

/// `GET /admin`.
pub async fn hub(
    State(app): State<App>,
    visitor: Visitor,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Response {
    let session = match admin(&visitor) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let notice = q.done.map(|d| match d.as_str() {
        "suspend" => "The profile is suspended: it cannot sign in and its app tokens are revoked.".to_string(),
        "unsuspend" => "The profile can be used again.".to_string(),
        "approve" => "The sign-up is approved: they can sign in now.".to_string(),
        "rule" => "The rule has been added.".to_string(),
        _ => "The guard policy has been saved.".to_string(),
    });
    admin_page(&app, session, notice, None, Errors::default()).await
}

#[derive(Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    csrf_token: String,
}

/// The admin session if the form carries its token; otherwise the response to give.
pub(crate) fn admin_form<'a>(visitor: &'a Visitor, token: &str) -> Result<&'a WebSession, Box<Response>> {
    session_for_form(visitor, token).and_then(|_| admin(visitor))
}

/// `POST /admin/accounts`: suspend, unsuspend or approve a local profile by username.
pub async fn moderate(State(app): State<App>, visitor: Visitor, Form(f): Form<ModerateForm>) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    use canteen_app::admin::Moderation;
    let action = match f.action.as_str() {
        "suspend" => Moderation::Suspend,
        "unsuspend" => Moderation::Unsuspend,
        "approve" => Moderation::Approve,
        _ => return pages::bad_request(Some(session), "Choose suspend, unsuspend or approve."),
    };
    let result = async { canteen_app::admin::moderate_as(&app, &session.auth()?, &f.username, action).await }.await;
    match result {
        Ok(()) => see_other(&format!("/admin?done={}", f.action)),
        Err(e @ (AppError::NotFound(_) | AppError::Forbidden(_))) => {
            let mut errors = Errors::default();
            errors.add("username", e.to_string());
            admin_page(&app, session, None, None, errors).await
        }
        Err(e) => pages::internal_error(&e),
    }
}

#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    rule: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /admin/rules`: adds a server rule (shown at sign-up).
pub async fn add_rule(State(app): State<App>, visitor: Visitor, Form(f): Form<RuleForm>) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let result = async { canteen_app::admin::add_rule_as(&app, &session.auth()?, &f.rule, "").await }.await;
    match result {
        Ok(_) => see_other("/admin?done=rule"),
        Err(AppError::BadRequest(m)) => {
            let mut errors = Errors::default();
            errors.add("rule", m);
            admin_page(&app, session, None, None, errors).await
        }
        Err(e) => pages::internal_error(&e),
    }
}

#[derive(Deserialize)]
pub struct GuardPolicyForm {
    #[serde(default)]
    guard_policy: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /admin/guard-policy`: replaces the guard policy (JSON, as `docs/guard.md`
/// describes); an invalid one is refused whole and shown again with the reason.
pub async fn guard_policy(State(app): State<App>, visitor: Visitor, Form(f): Form<GuardPolicyForm>) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let result = async { canteen_app::guard::set_policy(&app, &session.auth()?, &f.guard_policy).await }.await;
    match result {
        Ok(_) => see_other("/admin?done=guard"),
        Err(AppError::Unprocessable(m)) => {
            let mut errors = Errors::default();
            errors.add("guard_policy", m);
            admin_page(&app, session, None, Some(f.guard_policy), errors).await
        }
        Err(e) => pages::internal_error(&e),
    }
}
