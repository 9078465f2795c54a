//! `GET/POST /sign-in` and `POST /sign-out`.
//!
//! CSRF: the sign-in form is shown to someone with no session, so it uses a double-submit
//! token (a random value in an HttpOnly cookie and in the form; both must match). Forms of a
//! signed-in person carry the token bound to their session (`WebSession::csrf_token`).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use canteen_app::web;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::pages::{self, Chrome, render};
use crate::session::{self, Visitor};

/// A field's error, shown beside it and in the error summary at the top.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    csrf_token: String,
    email: String,
    errors: Vec<FieldError>,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(LOCATION, HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")));
    res
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// The form token to use: the visitor's cookie, or a new one (with the cookie to set).
fn form_token(app: &App, visitor: &Visitor) -> Result<(String, Option<String>), AppError> {
    match &visitor.form_token {
        Some(t) => Ok((t.clone(), None)),
        None => {
            let t = web::new_form_token()?;
            let cookie = session::form_cookie(app, &t);
            Ok((t, Some(cookie)))
        }
    }
}

fn page(app: &App, visitor: &Visitor, status: StatusCode, email: String, errors: Vec<FieldError>) -> Response {
    let (csrf_token, cookie) = match form_token(app, visitor) {
        Ok(t) => t,
        Err(e) => return pages::internal_error(&e),
    };
    let title = if errors.is_empty() { "Sign in".to_string() } else { "Error: Sign in".to_string() };
    let res = render(status, &SignInPage { chrome: Chrome::new(title, None), csrf_token, email, errors });
    match cookie {
        Some(c) => with_cookie(res, &c),
        None => res,
    }
}

/// `GET /sign-in`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    if visitor.session.is_some() {
        return see_other("/");
    }
    page(&app, &visitor, StatusCode::OK, String::new(), Vec::new())
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
    let cookie = visitor.form_token.as_deref().unwrap_or("");
    if !web::form_token_matches(cookie, &f.csrf_token) {
        return pages::csrf_rejected(visitor.session.as_ref());
    }
    let email = f.email.trim().to_string();
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldError { field: "email", message: "Enter your email address".into() });
    }
    if f.password.is_empty() {
        errors.push(FieldError { field: "password", message: "Enter your password".into() });
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
            page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, email, vec![FieldError { field: "email", message }])
        }
        Err(AppError::Forbidden(message)) => {
            page(&app, &visitor, StatusCode::FORBIDDEN, email, vec![FieldError { field: "email", message }])
        }
        Err(e) => pages::internal_error(&e),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
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
