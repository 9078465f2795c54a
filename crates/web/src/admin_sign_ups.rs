//! `GET /admin/sign-ups` (admins only): who may sign up (the registration mode and the
//! email-domain allow-list, saved at run time), the sign-ups waiting for approval, and who
//! has a moderator or admin role.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use canteen_app::web::WebSession;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::admin::{admin, admin_form};
use crate::forms::{Errors, see_other};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;

/// The three registration modes in the words the page uses.
const MODES: [(&str, &str, &str); 3] = [
    ("open", "Anyone can sign up", "They can use Canteen as soon as they have signed up."),
    ("approval", "Anyone can ask to sign up", "An administrator approves each sign-up on this page first."),
    ("closed", "Nobody can sign up", "Only administrators can make accounts, from the command line."),
];

struct Pending {
    username: String,
    email: String,
    reason: String,
    when: String,
}

#[derive(Template)]
#[template(path = "admin_sign_ups.html")]
struct SignUpsPage {
    chrome: Chrome,
    csrf_token: String,
    modes: &'static [(&'static str, &'static str, &'static str)],
    mode: String,
    domains: String,
    pending: Vec<Pending>,
    staff: Vec<(String, String)>,
    role_username: String,
    notice: Option<&'static str>,
    errors: Errors,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// What was typed into the page's forms, kept when one is refused.
#[derive(Default)]
struct Typed {
    mode: Option<String>,
    domains: Option<String>,
    role_username: String,
}

async fn page(app: &App, session: &WebSession, typed: Typed, notice: Option<&'static str>, errors: Errors) -> Response {
    let found = async {
        let auth = session.auth()?;
        let registration = canteen_app::registration::current(app).await?;
        let pending = canteen_app::admin::awaiting_approval_as(app, &auth).await?;
        let staff = canteen_app::admin::staff_as(app, &auth).await?;
        Ok::<_, AppError>((registration, pending, staff))
    }
    .await;
    let (registration, pending, staff) = match found {
        Ok(f) => f,
        Err(AppError::Forbidden(reason)) => return pages::forbidden(Some(session), &reason),
        Err(e) => return pages::internal_error(&e),
    };
    let status = errors.status();
    let page = SignUpsPage {
        chrome: Chrome::new(errors.title("Sign-ups and roles"), Some(session)),
        csrf_token: session.csrf_token.clone(),
        modes: &MODES,
        mode: typed.mode.unwrap_or_else(|| registration.mode.as_str().to_string()),
        domains: typed.domains.unwrap_or_else(|| registration.allowed_domains.join("\n")),
        pending: pending
            .into_iter()
            .map(|p| Pending {
                username: p.username,
                email: p.email,
                reason: p.reason.unwrap_or_default(),
                when: crate::uk_time::show(p.created_at).1,
            })
            .collect(),
        staff,
        role_username: typed.role_username,
        notice,
        errors,
    };
    render(status, &page)
}

/// `GET /admin/sign-ups`.
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<DoneQuery>) -> Response {
    let session = match admin(&visitor) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let notice = q.done.as_deref().map(|d| match d {
        "registration" => "Who can sign up has been saved. It applies to the next sign-up.",
        "approve" => "The sign-up is approved: they can sign in now.",
        _ => "The role has been changed. It applies from their next page.",
    });
    page(&app, session, Typed::default(), notice, Errors::default()).await
}

#[derive(Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    allowed_domains: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /admin/registration`.
pub async fn save_registration(State(app): State<App>, visitor: Visitor, Form(f): Form<RegistrationForm>) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let saved = async { canteen_app::registration::set_as(&app, &session.auth()?, &f.mode, &f.allowed_domains).await };
    match saved.await {
        Ok(_) => see_other("/admin/sign-ups?done=registration"),
        Err(e) => {
            match Errors::from_app(&e, &[("mode", "mode-open"), ("allowed_domains", "allowed_domains")], "mode-open") {
                Some(errors) => {
                    let typed = Typed { mode: Some(f.mode), domains: Some(f.allowed_domains), ..Typed::default() };
                    page(&app, session, typed, None, errors).await
                }
                None => pages::internal_error(&e),
            }
        }
    }
}

#[derive(Deserialize)]
pub struct PersonForm {
    #[serde(default, alias = "role_username")]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /admin/sign-ups/approve`: one waiting sign-up may now sign in.
pub async fn approve(State(app): State<App>, visitor: Visitor, Form(f): Form<PersonForm>) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    use canteen_app::admin::Moderation;
    let done =
        async { canteen_app::admin::moderate_as(&app, &session.auth()?, &f.username, Moderation::Approve).await };
    match done.await {
        Ok(()) => see_other("/admin/sign-ups?done=approve"),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(e) => pages::internal_error(&e),
    }
}

/// `POST /admin/roles`: makes someone a user, moderator or admin.
pub async fn set_role(State(app): State<App>, visitor: Visitor, Form(f): Form<PersonForm>) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let done = async { canteen_app::admin::set_role_as(&app, &session.auth()?, &f.username, &f.role).await };
    match done.await {
        Ok(()) => see_other("/admin/sign-ups?done=role"),
        Err(e) => {
            // An unknown username is a mistake in the form, not a missing page.
            let e = match e {
                AppError::NotFound(m) => AppError::Unprocessable(m.replace('`', "")),
                e => e,
            };
            match Errors::from_app(&e, &[("role", "role")], "role_username") {
                Some(errors) => {
                    let typed = Typed { role_username: f.username, ..Typed::default() };
                    page(&app, session, typed, None, errors).await
                }
                None => pages::internal_error(&e),
            }
        }
    }
}
