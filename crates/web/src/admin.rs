//! `GET/POST /admin/policy`: the organisation's social-media policy, which everyone
//! acknowledges at first run and again whenever its text changes (admins only).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
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

fn admin(visitor: &Visitor) -> Result<&WebSession, Box<Response>> {
    match &visitor.session {
        None => Err(Box::new(see_other("/sign-in"))),
        Some(s) if s.user.role != Role::Admin => {
            Err(Box::new(pages::forbidden(Some(s), "Only administrators can change the social-media policy.")))
        }
        Some(s) => Ok(s),
    }
}

async fn page(app: &App, session: &WebSession, text: Option<String>, saved: bool, errors: Errors) -> Response {
    let (current, acknowledged) = match (onboarding::policy(app).await, onboarding::acknowledgement_count(app).await) {
        (Ok(p), Ok(n)) => (p.map(|p| p.text).unwrap_or_default(), n),
        (Err(e), _) | (_, Err(e)) => return pages::internal_error(&e),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = if errors.is_empty() { "Social-media policy" } else { "Error: Social-media policy" };
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
