//! `GET /@{username}`: a profile as anyone on the internet sees it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::{App, AppError};
use canteen_domain::Id;
use serde::Deserialize;

use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    display_name: String,
    handle: String,
    /// The bio, one entry per paragraph (escaped by the template).
    bio: Vec<String>,
    posts: Vec<PostItem>,
    older_href: Option<String>,
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    max_id: Option<String>,
}

/// `GET /@{username}` (`?max_id=` pages back). Public posts only, whoever is asking.
pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Path(username): Path<String>,
    Query(q): Query<ProfileQuery>,
) -> Response {
    let max_id = q.max_id.as_deref().and_then(Id::parse);
    let (account, views) = match canteen_app::web::public_profile(&app, &username, max_id).await {
        Ok(found) => found,
        Err(AppError::NotFound(_)) => return pages::not_found(visitor.session.as_ref()),
        Err(e) => return pages::internal_error(&e),
    };
    let display_name =
        if account.display_name.trim().is_empty() { account.username.clone() } else { account.display_name.clone() };
    let full = views.len() as i64 >= canteen_app::timelines::DEFAULT_LIMIT;
    let older_href = views.last().filter(|_| full).map(|v| format!("/@{}?max_id={}", account.username, v.status.id.0));
    let mut chrome = Chrome::new(display_name.clone(), visitor.session.as_ref());
    chrome.noindex = !account.privacy.indexable;
    let page = ProfilePage {
        chrome,
        handle: format!("@{}@{}", account.username, app.config.domain()),
        display_name,
        bio: account.note.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        posts: views.iter().map(PostItem::from_view).collect(),
        older_href,
    };
    render(StatusCode::OK, &page)
}
