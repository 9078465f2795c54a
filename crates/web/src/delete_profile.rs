//! `GET/POST /settings/delete`: delete the profile in use, for good, after typing the password
//! again. The page says exactly what will happen first.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::web::WebSession;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::forms::{Errors, see_other, session_for_form, with_cookie};
use crate::pages::{self, Chrome, render};
use crate::session::{self, Visitor};

#[derive(Template)]
#[template(path = "delete_profile.html")]
struct DeletePage {
    chrome: Chrome,
    name: String,
    handle: String,
    /// The login has no other profile, so it closes too.
    last_profile: bool,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "message.html")]
struct DonePage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
}

async fn page(app: &App, session: &WebSession, errors: Errors) -> Response {
    let profiles = match canteen_app::web::profiles(app, session).await {
        Ok(p) => p,
        Err(e) => return pages::internal_error(&e),
    };
    let a = &session.account;
    let status = errors.status();
    let page = DeletePage {
        chrome: Chrome::new(errors.title("Delete this profile"), Some(session)),
        name: if a.display_name.trim().is_empty() { a.username.clone() } else { a.display_name.clone() },
        handle: format!("@{}", a.username),
        last_profile: profiles.iter().filter(|p| p.suspended_at.is_none()).count() <= 1,
        errors,
    };
    render(status, &page)
}

/// `GET /settings/delete`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    page(&app, session, Errors::default()).await
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /settings/delete`.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<DeleteForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let done = async { canteen_app::account_deletion::delete_own_profile(&app, &session.auth()?, &f.password).await };
    match done.await {
        Ok(deleted) => {
            let mut paragraphs = vec![
                "Its posts, pictures, follows, lists and notifications have been removed from this server, and the other servers that had copies have been asked to remove them.".to_string(),
            ];
            paragraphs.push(if deleted.login_closed {
                "It was your last profile, so your login is closed too.".to_string()
            } else {
                "Sign in again to use your other profiles.".to_string()
            });
            let done = DonePage {
                chrome: Chrome::new("Your profile has been deleted", None),
                heading: "Your profile has been deleted".into(),
                paragraphs,
                link: Some(("/".into(), "Go to the home page".into())),
            };
            // This browser's session ended with the profile.
            with_cookie(render(StatusCode::OK, &done), &session::clear_session_cookie(&app))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_))) => {
            let errors = Errors::from_app(&e, &[("password", "password")], "password").unwrap_or_default();
            page(&app, session, errors).await
        }
        Err(e) => pages::internal_error(&e),
    }
}
