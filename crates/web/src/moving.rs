//! `/settings/move`: moving a profile. Aliases: the other accounts that may move to this one.
//! Moving: this profile points to a new account, which must already name it as an alias; its
//! followers here and elsewhere follow the new account.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use canteen_app::web::WebSession;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::forms::{Errors, see_other, session_for_form};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "moving.html")]
struct MovingPage {
    chrome: Chrome,
    uri: String,
    aliases: String,
    target: String,
    moved_to: Option<String>,
    notice: Option<&'static str>,
    errors: Errors,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn page(
    session: &WebSession,
    aliases: Option<String>,
    target: String,
    notice: Option<&'static str>,
    errors: Errors,
) -> Response {
    let a = &session.account;
    let status = errors.status();
    let page = MovingPage {
        chrome: Chrome::new(errors.title("Move this profile"), Some(session)),
        uri: a.uri.clone(),
        aliases: aliases.unwrap_or_else(|| a.also_known_as.join("\n")),
        target,
        moved_to: a.moved_to.clone(),
        notice,
        errors,
    };
    render(status, &page)
}

/// `GET /settings/move`.
pub async fn show(visitor: Visitor, Query(q): Query<DoneQuery>) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let notice = q.done.as_deref().map(|d| match d {
        "aliases" => "Your aliases have been saved.",
        _ => "Your profile has moved. Your followers are following the new account.",
    });
    page(session, None, String::new(), notice, Errors::default())
}

#[derive(Deserialize)]
pub struct AliasesForm {
    #[serde(default)]
    also_known_as: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /settings/move/aliases`: one account address per line.
pub async fn save_aliases(State(app): State<App>, visitor: Visitor, Form(f): Form<AliasesForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let list: Vec<String> = f.also_known_as.lines().map(str::to_string).collect();
    let done = async { canteen_app::account_moves::set_aliases(&app, &session.auth()?, &list).await };
    match done.await {
        Ok(_) => see_other("/settings/move?done=aliases"),
        Err(e) => match Errors::from_app(&e, &[("also_known_as", "also_known_as")], "also_known_as") {
            Some(errors) => page(session, Some(f.also_known_as), String::new(), None, errors),
            None => pages::internal_error(&e),
        },
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /settings/move`.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<MoveForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let done = async { canteen_app::account_moves::move_to(&app, &session.auth()?, &f.target, &f.password).await };
    match done.await {
        Ok(_) => see_other("/settings/move?done=moved"),
        Err(e @ (AppError::Invalid(_) | AppError::Unprocessable(_))) => {
            let errors =
                Errors::from_app(&e, &[("target", "target"), ("password", "password")], "target").unwrap_or_default();
            page(session, None, f.target, None, errors)
        }
        Err(e) => pages::internal_error(&e),
    }
}
