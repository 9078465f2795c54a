//! `/settings/profiles`: one login may hold several profiles (a personal and a professional
//! one, say). This page lists them, switches the browser session between them, and adds one.
//! To everyone else each profile is its own person; nothing on them links them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use canteen_app::web::WebSession;
use canteen_app::{App, AppError};
use canteen_domain::account::ProfileMode;
use serde::Deserialize;

use crate::forms::{Errors, TokenForm, see_other, session_and_id, session_for_form};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;
use crate::start::{ModeChoice, mode_choices, mode_label};

struct ProfileItem {
    id: String,
    name: String,
    handle: String,
    mode: &'static str,
    in_use: bool,
}

#[derive(Template)]
#[template(path = "profiles.html")]
struct ProfilesPage {
    chrome: Chrome,
    profiles: Vec<ProfileItem>,
    may_add: bool,
    max: usize,
    modes: Vec<ModeChoice>,
    username: String,
    display_name: String,
    errors: Errors,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ProfilesQuery {
    switched: Option<String>,
}

#[derive(Deserialize)]
pub struct NewProfileForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    csrf_token: String,
}

async fn page(
    app: &App,
    session: &WebSession,
    form: Option<&NewProfileForm>,
    errors: Errors,
    notice: Option<&'static str>,
) -> Response {
    let found = match canteen_app::web::profiles(app, session).await {
        Ok(f) => f,
        Err(e) => return pages::internal_error(&e),
    };
    let profiles: Vec<ProfileItem> = found
        .iter()
        .map(|a| ProfileItem {
            id: a.id.0.to_string(),
            name: if a.display_name.trim().is_empty() { a.username.clone() } else { a.display_name.clone() },
            handle: format!("@{}", a.username),
            mode: mode_label(a.profile_mode),
            in_use: a.id == session.account.id,
        })
        .collect();
    let chosen = form.and_then(|f| ProfileMode::parse(&f.mode)).unwrap_or(ProfileMode::Professional);
    let status = errors.status();
    let page = ProfilesPage {
        chrome: Chrome::new(errors.title("Your profiles"), Some(session)),
        may_add: profiles.len() < canteen_app::profiles::MAX_PROFILES,
        profiles,
        max: canteen_app::profiles::MAX_PROFILES,
        modes: mode_choices(chosen),
        username: form.map(|f| f.username.clone()).unwrap_or_default(),
        display_name: form.map(|f| f.display_name.clone()).unwrap_or_default(),
        errors,
        notice,
    };
    render(status, &page)
}

/// `GET /settings/profiles`.
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<ProfilesQuery>) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let notice = q.switched.is_some().then_some("You switched profile. What you post now is posted as this profile.");
    page(&app, session, None, Errors::default(), notice).await
}

/// `POST /settings/profiles/{id}/switch`: this browser now acts as that profile.
pub async fn switch(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    let (session, id) = match session_and_id(&visitor, &f.csrf_token, &id) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    match canteen_app::web::switch_profile(&app, session, id).await {
        Ok(_) => see_other("/settings/profiles?switched=1"),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(AppError::Forbidden(reason)) => pages::forbidden(Some(session), &reason),
        Err(e) => pages::internal_error(&e),
    }
}

/// `POST /settings/profiles`: adds a profile and switches to it; first run then asks for
/// anything it still needs (the policy is acknowledged once per login).
pub async fn add(State(app): State<App>, visitor: Visitor, Form(f): Form<NewProfileForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let Some(mode) = ProfileMode::parse(&f.mode) else {
        let mut errors = Errors::default();
        errors.add("mode-personal", "Choose how you will use this profile");
        return page(&app, session, Some(&f), errors, None).await;
    };
    match canteen_app::web::add_profile(&app, session, &f.username, &f.display_name, mode).await {
        Ok(_) => see_other("/settings/profiles?switched=1"),
        Err(e) => match Errors::from_app(&e, &[("username", "username"), ("display_name", "display_name")], "username")
        {
            Some(errors) => page(&app, session, Some(&f), errors, None).await,
            None => pages::internal_error(&e),
        },
    }
}
