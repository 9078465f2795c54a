//! `GET/POST /sign-up`: create a login under the registration mode and the email-domain
//! allow-list (the same use case as the API's `POST /api/v1/accounts`). A login that may act
//! at once is signed in and sent to first run (`/start`); one awaiting approval is told so.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::web::{self, SignedUp};
use canteen_app::{App, AppError};
use canteen_domain::registration::RegistrationMode;
use serde::Deserialize;

use crate::forms::{Errors, see_other, signed_out_page, signed_out_token_ok, with_cookie};
use crate::pages::{self, Chrome, Message, render};
use crate::session::{self, Visitor};

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    chrome: Chrome,
    closed: bool,
    needs_approval: bool,
    allowed_domains: Vec<String>,
    contact_email: String,
    rules: Vec<String>,
    csrf_token: String,
    username: String,
    email: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct SignUpForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

async fn page(app: &App, visitor: &Visitor, status: StatusCode, form: SignUpForm, errors: Errors) -> Response {
    let rules = match canteen_app::instance::rules(app).await {
        Ok(r) => r.into_iter().map(|r| r.text).collect(),
        Err(e) => return pages::internal_error(&e),
    };
    let cfg = &app.config;
    let registration = match canteen_app::registration::current(app).await {
        Ok(r) => r,
        Err(e) => return pages::internal_error(&e),
    };
    let title = errors.title("Create an account");
    signed_out_page(app, visitor, |csrf_token| {
        let page = SignUpPage {
            chrome: Chrome::new(title, visitor.session.as_ref()),
            closed: registration.mode == RegistrationMode::Closed,
            needs_approval: registration.mode == RegistrationMode::Approval,
            allowed_domains: registration.allowed_domains,
            contact_email: cfg.contact_email.clone(),
            rules,
            csrf_token,
            username: form.username,
            email: form.email,
            errors,
        };
        render(status, &page)
    })
}

/// `GET /sign-up`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    if visitor.session.is_some() {
        return see_other("/");
    }
    page(&app, &visitor, StatusCode::OK, SignUpForm::default(), Errors::default()).await
}

/// `POST /sign-up`.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<SignUpForm>) -> Response {
    if !signed_out_token_ok(&visitor, &f.csrf_token) {
        return pages::csrf_rejected(visitor.session.as_ref());
    }
    let agreed = f.agreement.as_deref() == Some("true");
    match web::sign_up(&app, &f.username, &f.email, &f.password, agreed).await {
        Ok(SignedUp::SignedIn(token)) => {
            let mut res = with_cookie(see_other("/start"), &session::session_cookie(&app, &token));
            if let Some(old) = &visitor.token
                && let Err(e) = web::sign_out(&app, old).await
            {
                tracing::warn!(error = %e, "could not end the previous session");
                res = with_cookie(res, &session::clear_session_cookie(&app));
            }
            res
        }
        Ok(SignedUp::AwaitingApproval) => render(
            StatusCode::OK,
            &Message::new(
                "Your account is waiting for approval",
                None,
                &[
                    "Thank you. Your organisation checks each new account before it can be used.",
                    "You will be able to sign in once an administrator has approved it.",
                ],
                Some(("/sign-in", "Go to sign in")),
            ),
        ),
        Err(AppError::Forbidden(message)) => {
            let mut errors = Errors::default();
            errors.add("username", message);
            page(&app, &visitor, StatusCode::FORBIDDEN, f, errors).await
        }
        Err(e) => {
            let fields =
                [("username", "username"), ("email", "email"), ("password", "password"), ("agreement", "agreement")];
            match Errors::from_app(&e, &fields, "username") {
                Some(errors) => page(&app, &visitor, StatusCode::UNPROCESSABLE_ENTITY, f, errors).await,
                None => pages::internal_error(&e),
            }
        }
    }
}
