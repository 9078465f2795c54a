//! `GET /follow-requests`: who asked to follow the signed-in (locked) profile;
//! `POST /follow-requests/{id}/approve` and `/decline`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::{App, AppError};
use canteen_domain::Id;

use crate::forms::{TokenForm, see_other, session_for_form};
use crate::pages::{self, Chrome, PersonItem, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "follow_requests.html")]
struct RequestsPage {
    chrome: Chrome,
    csrf_token: String,
    requests: Vec<PersonItem>,
}

/// `GET /follow-requests`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let accounts = match canteen_app::web::follow_requests(&app, session).await {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    let requests = accounts.iter().map(PersonItem::from_account).collect();
    let page = RequestsPage {
        chrome: Chrome::new("Follow requests", Some(session)),
        csrf_token: session.csrf_token.clone(),
        requests,
    };
    render(StatusCode::OK, &page)
}

async fn settle(app: &App, visitor: &Visitor, id: &str, token: &str, accept: bool) -> Response {
    let session = match session_for_form(visitor, token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let Some(from) = Id::parse(id) else { return pages::not_found(Some(session)) };
    let result = async { canteen_app::follows::settle_request(app, &session.auth()?, from, accept).await }.await;
    match result {
        Ok(_) => see_other("/follow-requests"),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(e) => pages::internal_error(&e),
    }
}

/// `POST /follow-requests/{id}/approve`.
pub async fn approve(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    settle(&app, &visitor, &id, &f.csrf_token, true).await
}

/// `POST /follow-requests/{id}/decline`.
pub async fn decline(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    settle(&app, &visitor, &id, &f.csrf_token, false).await
}
