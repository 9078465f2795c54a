//! `GET /notifications`: who followed, asked to follow, mentioned, re-posted or liked.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use serde::Deserialize;

use crate::forms::see_other;
use crate::pages::{self, Chrome, PostItem, render, times};
use crate::session::Visitor;

pub struct Item {
    who: String,
    who_href: String,
    what: &'static str,
    time_iso: String,
    time_text: String,
    post: Option<PostItem>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    items: Vec<Item>,
    older_href: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    max_id: Option<i64>,
}

fn what(kind: &str) -> &'static str {
    match kind {
        "follow" => "followed you",
        "follow_request" => "asked to follow you",
        "mention" => "mentioned you",
        "reblog" => "re-posted your post",
        "favourite" => "liked your post",
        "poll" => "ran a poll that has now ended",
        "status" => "posted",
        "update" => "edited a post you re-posted",
        _ => "did something",
    }
}

/// `GET /notifications` (`?max_id=` pages back).
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<PageQuery>) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let found = match canteen_app::web::notifications(&app, session, q.max_id).await {
        Ok(n) => n,
        Err(e) => return pages::internal_error(&e),
    };
    let full = found.len() as i64 >= canteen_app::timelines::DEFAULT_LIMIT;
    let older_href = found.last().filter(|_| full).map(|n| format!("/notifications?max_id={}", n.id));
    let items = found
        .iter()
        .map(|n| {
            let a = &n.account;
            let (time_iso, time_text) = times(n.created_at);
            Item {
                who: if a.display_name.trim().is_empty() { a.username.clone() } else { a.display_name.clone() },
                who_href: if a.is_local() { format!("/@{}", a.username) } else { a.url.clone() },
                what: what(&n.kind),
                time_iso,
                time_text,
                post: n.status.as_ref().map(PostItem::from_view),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &NotificationsPage { chrome: Chrome::new("Notifications", Some(session)), items, older_href },
    )
}
