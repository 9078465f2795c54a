//! `GET /bookmarks` and `GET /likes`: the posts one has bookmarked or liked, newest first.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use canteen_app::web::Marked;
use serde::Deserialize;

use crate::forms::see_other;
use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Deserialize)]
pub struct PageQuery {
    max_id: Option<String>,
}

#[derive(Template)]
#[template(path = "marked.html")]
struct MarkedPage {
    chrome: Chrome,
    heading: &'static str,
    empty: &'static str,
    posts: Vec<PostItem>,
    older_href: Option<String>,
}

async fn show(app: &App, visitor: &Visitor, which: Marked, q: &PageQuery) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let max_id = q.max_id.as_deref().and_then(|m| m.parse::<i64>().ok());
    let (posts, next) = match canteen_app::web::marked(app, session, which, max_id).await {
        Ok(found) => found,
        Err(e) => return pages::internal_error(&e),
    };
    let (path, heading, empty) = match which {
        Marked::Bookmarks => (
            "/bookmarks",
            "Bookmarks",
            "You have not bookmarked any posts. Use Bookmark under a post to keep it here; only you can see your bookmarks.",
        ),
        Marked::Likes => ("/likes", "Posts you liked", "You have not liked any posts yet."),
    };
    let page = MarkedPage {
        chrome: Chrome::new(heading, Some(session)),
        heading,
        empty,
        posts: posts.iter().map(PostItem::from_view).collect(),
        older_href: next.map(|n| format!("{path}?max_id={n}")),
    };
    render(StatusCode::OK, &page)
}

/// `GET /bookmarks` (`?max_id=` pages back).
pub async fn bookmarks(State(app): State<App>, visitor: Visitor, Query(q): Query<PageQuery>) -> Response {
    show(&app, &visitor, Marked::Bookmarks, &q).await
}

/// `GET /likes` (`?max_id=` pages back).
pub async fn likes(State(app): State<App>, visitor: Visitor, Query(q): Query<PageQuery>) -> Response {
    show(&app, &visitor, Marked::Likes, &q).await
}
