//! `GET /`: a welcome for people who are signed out; the home timeline for those signed in.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use canteen_domain::Id;
use serde::Deserialize;

use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Deserialize)]
pub struct HomeQuery {
    max_id: Option<String>,
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct Welcome {
    chrome: Chrome,
    title: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    posts: Vec<PostItem>,
    older_href: Option<String>,
    is_older_page: bool,
}

/// `GET /` (`?max_id=` pages back).
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<HomeQuery>) -> Response {
    let Some(session) = visitor.session else {
        let title = app.config.title.clone();
        return render(StatusCode::OK, &Welcome { chrome: Chrome::new(format!("Welcome to {title}"), None), title });
    };
    let max_id = q.max_id.as_deref().and_then(Id::parse);
    let views = match canteen_app::web::home(&app, &session, max_id).await {
        Ok(v) => v,
        Err(e) => return pages::internal_error(&e),
    };
    let full = views.len() as i64 >= canteen_app::timelines::DEFAULT_LIMIT;
    let older_href = views.last().filter(|_| full).map(|v| format!("/?max_id={}", v.status.id.0));
    let page = Home {
        chrome: Chrome::new("Home", Some(&session)),
        posts: views.iter().map(PostItem::from_view).collect(),
        older_href,
        is_older_page: max_id.is_some(),
    };
    render(StatusCode::OK, &page)
}
