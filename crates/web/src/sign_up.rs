//! `GET /sign-up`: how to get an account here. Creating one in the browser is not built
//! yet; the page says so plainly and explains the way that works today (a Mastodon app).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use canteen_domain::registration::RegistrationMode;

use crate::pages::{Chrome, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    chrome: Chrome,
    closed: bool,
    needs_approval: bool,
    domain: String,
    allowed_domains: Vec<String>,
    contact_email: String,
}

/// `GET /sign-up`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    let cfg = &app.config;
    let page = SignUpPage {
        chrome: Chrome::new("Create an account", visitor.session.as_ref()),
        closed: cfg.registration_mode == RegistrationMode::Closed,
        needs_approval: cfg.registration_mode == RegistrationMode::Approval,
        domain: cfg.domain(),
        allowed_domains: cfg.registration_allowed_domains.clone(),
        contact_email: cfg.contact_email.clone(),
    };
    render(StatusCode::OK, &page)
}
