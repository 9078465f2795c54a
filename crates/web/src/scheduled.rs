//! `GET /scheduled`: the posts one has set to be sent later (chosen in compose, or "wait an
//! hour" after a guard warning about tone), each with the time it goes and a way to cancel.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use canteen_domain::status::Visibility;
use serde::Deserialize;

use crate::forms::{TokenForm, done_or_not_found, see_other, session_and_id};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;

#[derive(Deserialize)]
pub struct ScheduledQuery {
    added: Option<String>,
    cancelled: Option<String>,
}

/// One scheduled post as the page lists it.
struct ScheduledItem {
    id: String,
    /// (`2026-11-21T14:30`, "Saturday 21 November 2026 at 14:30 GMT").
    when: (String, String),
    audience: &'static str,
    spoiler_text: String,
    text: String,
    has_media: bool,
    has_poll: bool,
}

#[derive(Template)]
#[template(path = "scheduled.html")]
struct ScheduledPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    items: Vec<ScheduledItem>,
}

/// `GET /scheduled`, soonest first.
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<ScheduledQuery>) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let found = match session.auth() {
        Ok(auth) => canteen_app::scheduled::list(&app, &auth).await,
        Err(e) => Err(e),
    };
    let mut found = match found {
        Ok(f) => f,
        Err(e) => return pages::internal_error(&e),
    };
    found.sort_by_key(|s| s.scheduled_at);
    let items = found
        .iter()
        .map(|s| ScheduledItem {
            id: s.id.0.to_string(),
            when: crate::uk_time::show(s.scheduled_at),
            audience: crate::compose::audience_label(
                s.params.visibility.as_deref().and_then(Visibility::parse).map_or("public", |v| v.kind()),
            ),
            spoiler_text: s.params.spoiler_text.clone(),
            text: s.params.text.clone(),
            has_media: !s.params.media_ids.is_empty(),
            has_poll: s.params.poll.is_some(),
        })
        .collect();
    let notice = if q.added.is_some() {
        Some("Your post is scheduled. It will be sent at the time shown.")
    } else if q.cancelled.is_some() {
        Some("The scheduled post was cancelled. It will not be sent.")
    } else {
        None
    };
    render(StatusCode::OK, &ScheduledPage { chrome: Chrome::new("Scheduled posts", Some(session)), notice, items })
}

/// `POST /scheduled/{id}/cancel`: the post will not be sent.
pub async fn cancel(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    let (session, id) = match session_and_id(&visitor, &f.csrf_token, &id) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let done = match session.auth() {
        Ok(auth) => canteen_app::scheduled::cancel(&app, &auth, id).await,
        Err(e) => Err(e),
    };
    done_or_not_found(done, session, "/scheduled?cancelled=1")
}
