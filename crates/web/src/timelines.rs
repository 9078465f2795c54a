//! `GET /local`, `/public` and `/tags/{tag}`: the public timelines, as the visitor may see
//! them (signed out: what anyone may see).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use canteen_app::web::PublicTimeline;
use canteen_domain::Id;
use serde::Deserialize;

use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    chrome: Chrome,
    heading: String,
    intro: String,
    posts: Vec<PostItem>,
    older_href: Option<String>,
    /// The stream of new posts, on the first page only: (events URL, page to show them).
    live: Option<(String, String)>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    max_id: Option<String>,
    /// Posts per page (up to 40; 20 when not given).
    limit: Option<String>,
}

async fn show(app: &App, visitor: &Visitor, which: PublicTimeline, path: String, q: PageQuery) -> Response {
    let max_id = q.max_id.as_deref().and_then(Id::parse);
    let asked = q.limit.as_deref().and_then(|l| l.parse::<i64>().ok());
    let limit = canteen_app::web::page_size(asked);
    let views = match canteen_app::web::public_timeline(app, visitor.session.as_ref(), &which, max_id, limit).await {
        Ok(v) => v,
        Err(e) => return pages::internal_error(&e),
    };
    let (heading, intro) = match &which {
        PublicTimeline::Local => (
            format!("Posts on {}", app.config.title),
            "Public posts by people with an account on this server.".to_string(),
        ),
        PublicTimeline::Federated => (
            "Posts from everywhere".to_string(),
            "Public posts from this server and the servers it knows through the people here.".to_string(),
        ),
        PublicTimeline::Tag(tag) => (format!("#{tag}"), format!("Public posts with the hashtag #{tag}.")),
    };
    let full = views.len() as i64 >= limit;
    let limit_q = asked.map(|_| format!("&limit={limit}")).unwrap_or_default();
    let older_href = views.last().filter(|_| full).map(|v| format!("{path}?max_id={}{limit_q}", v.status.id.0));
    let live = max_id.is_none().then(|| (format!("/live{path}"), path.clone()));
    let page = TimelinePage {
        live,
        chrome: Chrome::new(heading.clone(), visitor.session.as_ref()),
        heading,
        intro,
        posts: views.iter().map(PostItem::from_view).collect(),
        older_href,
    };
    render(StatusCode::OK, &page)
}

/// `GET /local`.
pub async fn local(State(app): State<App>, visitor: Visitor, Query(q): Query<PageQuery>) -> Response {
    show(&app, &visitor, PublicTimeline::Local, "/local".into(), q).await
}

/// `GET /public`.
pub async fn federated(State(app): State<App>, visitor: Visitor, Query(q): Query<PageQuery>) -> Response {
    show(&app, &visitor, PublicTimeline::Federated, "/public".into(), q).await
}

/// `GET /tags/{tag}`.
pub async fn tag(
    State(app): State<App>,
    visitor: Visitor,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let tag = tag.trim_start_matches('#').to_string();
    if tag.is_empty() || !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return pages::not_found(visitor.session.as_ref());
    }
    let path = format!("/tags/{tag}");
    show(&app, &visitor, PublicTimeline::Tag(tag), path, q).await
}
