//! `GET/POST /sign-in` and `POST /sign-out`.
//!
//! CSRF: the sign-in form is shown to someone with no session, so it uses a double-submit
//! token (a random value in an HttpOnly cookie and in the form; both must match). Forms of a
//! signed-in person carry the token bound to their session (`WebSession::csrf_token`).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::web;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::forms::{Errors, TokenForm, see_other, signed_out_page, signed_out_token_ok, with_cookie};
use crate::pages::{self, Chrome, render};
use crate::session::{self, Visitor};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    csrf_token: String,
    email: String,
    errors: Errors,
}

fn page(app: &App, visitor: &Visitor, status: StatusCode, email: String, errors: Errors) -> Response {
    let title = errors.title("Sign in");
    signed_out_page(app, visitor, |csrf_token| {
        render(status, &SignInPage { chrome: Chrome::new(title, None), csrf_token, email, errors })
    })
}

/// `GET /sign-in`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    if visitor.session.is_some() {
        return see_other("/");
    }
    page(&app, &visitor, StatusCode::OK, String::new(), Errors::default())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /sign-in`: checks the form token, then the email and password (the app layer's
/// sign-in, the same as OAuth's), then opens a session and goes home.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<SignInForm>) -> Response {
    if !signed_out_token_ok(&visitor, &f.csrf_token) {
        return pages::csrf_rejected(visitor.session.as_ref());
    }
    let email = f.email.trim().to_string();
    let mut errors = Errors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if f.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, email, errors);
    }
    match web::sign_in(&app, &email, &f.password).await {
        Ok((token, _)) => {
            let res = see_other("/");
            let res = with_cookie(res, &session::session_cookie(&app, &token));
            // A new sign-in replaces any session this browser had.
            if let Some(old) = &visitor.token
                && let Err(e) = web::sign_out(&app, old).await
            {
                tracing::warn!(error = %e, "could not end the previous session");
            }
            res
        }
        Err(AppError::OAuth { .. }) => {
            let message = "Enter a correct email address and password".to_string();
            let mut errors = Errors::default();
            errors.add("email", message);
            page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, email, errors)
        }
        Err(AppError::Forbidden(message)) => {
            let mut errors = Errors::default();
            errors.add("email", message);
            page(&app, &visitor, StatusCode::FORBIDDEN, email, errors)
        }
        Err(e) => pages::internal_error(&e),
    }
}

/// `POST /sign-out`: ends the session (the form must carry its token) and clears the cookie.
pub async fn sign_out(State(app): State<App>, visitor: Visitor, Form(f): Form<TokenForm>) -> Response {
    let (Some(session), Some(token)) = (&visitor.session, &visitor.token) else {
        // No live session: nothing to end; make sure the browser forgets any stale cookie.
        return with_cookie(see_other("/"), &session::clear_session_cookie(&app));
    };
    if !web::csrf_matches(session, &f.csrf_token) {
        return pages::csrf_rejected(Some(session));
    }
    if let Err(e) = web::sign_out(&app, token).await {
        return pages::internal_error(&e);
    }
    with_cookie(see_other("/"), &session::clear_session_cookie(&app))
}
