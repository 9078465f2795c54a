//! "Forgotten your password?": `GET/POST /forgot-password` asks for the email address (the
//! answer is the same whether or not it has a login), `GET/POST /reset-password/{token}`
//! sets a new password from the emailed link.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::password_reset;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::forms::{Errors, signed_out_page, signed_out_token_ok};
use crate::pages::{self, Chrome, Message, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    chrome: Chrome,
    csrf_token: String,
    email: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    chrome: Chrome,
    csrf_token: String,
    token: String,
    errors: Errors,
}

fn forgot_page(app: &App, visitor: &Visitor, status: StatusCode, email: String, errors: Errors) -> Response {
    let title = errors.title("Reset your password");
    signed_out_page(app, visitor, |csrf_token| {
        render(status, &ForgotPage { chrome: Chrome::new(title, visitor.session.as_ref()), csrf_token, email, errors })
    })
}

/// `GET /forgot-password`.
pub async fn show_forgot(State(app): State<App>, visitor: Visitor) -> Response {
    forgot_page(&app, &visitor, StatusCode::OK, String::new(), Errors::default())
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /forgot-password`.
pub async fn submit_forgot(State(app): State<App>, visitor: Visitor, Form(f): Form<ForgotForm>) -> Response {
    if !signed_out_token_ok(&visitor, &f.csrf_token) {
        return pages::csrf_rejected(visitor.session.as_ref());
    }
    let email = f.email.trim().to_string();
    if canteen_domain::validation::email(&email).is_err() {
        let mut errors = Errors::default();
        errors.add("email", "Enter your email address in the right format, like name@example.nhs.uk");
        return forgot_page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, email, errors);
    }
    if let Err(e) = password_reset::request(&app, &email).await {
        return pages::internal_error(&e);
    }
    let sent = format!("If {email} has an account here, we have sent it an email with a link to reset the password.");
    render(
        StatusCode::OK,
        &Message::new(
            "Check your email",
            visitor.session.as_ref(),
            &[
                &sent,
                "The link works once, for an hour. If nothing arrives in a few minutes, check your junk folder or try again.",
            ],
            Some(("/sign-in", "Back to sign in")),
        ),
    )
}

fn expired(visitor: &Visitor) -> Response {
    render(
        StatusCode::NOT_FOUND,
        &Message::new(
            "This link has expired",
            visitor.session.as_ref(),
            &["Password reset links work once, for an hour. You can ask for a new one."],
            Some(("/forgot-password", "Ask for a new link")),
        ),
    )
}

fn reset_page(app: &App, visitor: &Visitor, status: StatusCode, token: String, errors: Errors) -> Response {
    let title = errors.title("Choose a new password");
    signed_out_page(app, visitor, |csrf_token| {
        render(status, &ResetPage { chrome: Chrome::new(title, visitor.session.as_ref()), csrf_token, token, errors })
    })
}

/// `GET /reset-password/{token}`.
pub async fn show_reset(State(app): State<App>, visitor: Visitor, Path(token): Path<String>) -> Response {
    match password_reset::token_is_live(&app, &token).await {
        Ok(true) => reset_page(&app, &visitor, StatusCode::OK, token, Errors::default()),
        Ok(false) => expired(&visitor),
        Err(e) => pages::internal_error(&e),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /reset-password/{token}`.
pub async fn submit_reset(
    State(app): State<App>,
    visitor: Visitor,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> Response {
    if !signed_out_token_ok(&visitor, &f.csrf_token) {
        return pages::csrf_rejected(visitor.session.as_ref());
    }
    if f.password != f.password_confirmation {
        let mut errors = Errors::default();
        errors.add("password_confirmation", "The passwords do not match");
        return reset_page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, token, errors);
    }
    match password_reset::reset(&app, &token, &f.password).await {
        Ok(()) => render(
            StatusCode::OK,
            &Message::new(
                "Your password has been changed",
                None,
                &["You have been signed out everywhere, including in apps. Sign in with your new password."],
                Some(("/sign-in", "Sign in")),
            ),
        ),
        Err(AppError::NotFound(_)) => expired(&visitor),
        Err(e) => match Errors::from_app(&e, &[("password", "password")], "password") {
            Some(errors) => reset_page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, token, errors),
            None => pages::internal_error(&e),
        },
    }
}
