//! `GET /@{username}/{id}`: a post with the thread around it, as the visitor may see it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::{App, AppError};
use canteen_domain::Id;

use crate::home::ComposeState;
use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    chrome: Chrome,
    ancestors: Vec<PostItem>,
    post: PostItem,
    replies: Vec<PostItem>,
    /// The reply form, for a signed-in visitor.
    compose: Option<ComposeState>,
    max_chars: usize,
    poll_lengths: &'static [(&'static str, &'static str)],
}

/// `GET /@{username}/{id}`. A post that is not this profile's, or that the visitor may not
/// see, is not found (the same page either way, so its existence is not revealed).
pub async fn show(State(app): State<App>, visitor: Visitor, Path((username, id)): Path<(String, String)>) -> Response {
    let Some(id) = Id::parse(&id) else { return pages::not_found(visitor.session.as_ref()) };
    let (ancestors, focus, replies) = match canteen_app::web::thread(&app, visitor.session.as_ref(), id).await {
        Ok(t) => t,
        Err(AppError::NotFound(_)) => return pages::not_found(visitor.session.as_ref()),
        Err(e) => return pages::internal_error(&e),
    };
    if !focus.account.is_local() || focus.account.username != username || focus.reblog.is_some() {
        return pages::not_found(visitor.session.as_ref());
    }
    let post = PostItem::from_view(&focus);
    let mut chrome = Chrome::new(format!("Post by {}", post.author_name), visitor.session.as_ref());
    chrome.noindex = !focus.account.privacy.indexable;
    let page = ThreadPage {
        chrome,
        ancestors: ancestors.iter().map(PostItem::from_view).collect(),
        post,
        replies: replies.iter().map(PostItem::from_view).collect(),
        compose: visitor.session.as_ref().map(|s| ComposeState::reply_to(s, &focus)),
        max_chars: app.config.max_post_chars,
        poll_lengths: &crate::compose::POLL_LENGTHS,
    };
    render(StatusCode::OK, &page)
}
