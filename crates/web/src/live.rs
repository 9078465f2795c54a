//! Server-sent events for open timeline pages: `GET /live/home` (each post that enters the
//! signed-in profile's home feed) and `/live/local`, `/live/public`, `/live/tags/{tag}` (each
//! newly listed post on that timeline). Each sends `event: post` with the post's id;
//! `assets/canteen/live.js` shows "n new posts" and the reader chooses when to see them (the
//! page never jumps). A signed-in session is checked again before each event, so signing out
//! (or suspension) ends the stream, and each post goes through the same audience and mute
//! rules as the API's streams.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use canteen_app::App;
use canteen_app::events::{Event, Interest, Subscription};
use canteen_app::web::PublicTimeline;
use futures_util::stream::{self, Stream};

use crate::session::Visitor;

/// What the stream carries between events: its subscription, the app and the session's token.
type LiveState = (Subscription, App, String);

fn home_stream(
    app: App,
    account: canteen_domain::Id,
    token: String,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let sub = app.events.subscribe(Interest { account: Some(account), public: false });
    stream::unfold((sub, app, token), |(mut sub, app, token): LiveState| async move {
        loop {
            let event = sub.recv().await?;
            let (reader, author, status) = match event {
                Event::Home { reader, status } => (Some(reader), None, status),
                Event::Followers { author, status } => (None, Some(author), status),
                _ => continue,
            };
            let session = canteen_app::web::resolve(&app, &token).await.ok().flatten()?;
            if reader.is_some_and(|r| r != session.account.id) {
                continue;
            }
            // The same rule as the API's user stream: within the audience, author not muted
            // (and, for a pulled author's post, followed).
            let me = Some(&session.account);
            let shown = match author {
                Some(a) => canteen_app::timelines::live_item_for_follower(&app, me, a, status).await,
                None => canteen_app::timelines::live_item(&app, me, status).await,
            };
            if shown.ok().flatten().is_some() {
                let ev = SseEvent::default().event("post").data(status.0.to_string());
                return Some((Ok(ev), (sub, app, token)));
            }
        }
    })
}

/// What a public stream carries between events: its subscription, the app, the session's
/// token (if signed in) and the timeline.
type PublicState = (Subscription, App, Option<String>, PublicTimeline);

fn public_stream(
    app: App,
    token: Option<String>,
    which: PublicTimeline,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let sub = app.events.subscribe(Interest { account: None, public: true });
    stream::unfold((sub, app, token, which), |(mut sub, app, token, which): PublicState| async move {
        loop {
            let event = sub.recv().await?;
            let Event::Public { status, tags } = event else { continue };
            // Signed in when it opened: the session must still be live.
            let session = match &token {
                Some(t) => Some(canteen_app::web::resolve(&app, t).await.ok().flatten()?),
                None => None,
            };
            let me = session.as_ref().map(|s| &s.account);
            if canteen_app::web::public_live_item(&app, me, &which, status, &tags).await.unwrap_or(false) {
                let ev = SseEvent::default().event("post").data(status.0.to_string());
                return Some((Ok(ev), (sub, app, token, which)));
            }
        }
    })
}

fn public(app: App, visitor: Visitor, which: PublicTimeline) -> Response {
    let token = visitor.session.as_ref().and(visitor.token.clone());
    Sse::new(public_stream(app, token, which))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// `GET /live/local`.
pub async fn local(State(app): State<App>, visitor: Visitor) -> Response {
    public(app, visitor, PublicTimeline::Local)
}

/// `GET /live/public`.
pub async fn federated(State(app): State<App>, visitor: Visitor) -> Response {
    public(app, visitor, PublicTimeline::Federated)
}

/// `GET /live/tags/{tag}`.
pub async fn tag(State(app): State<App>, visitor: Visitor, Path(tag): Path<String>) -> Response {
    public(app, visitor, PublicTimeline::Tag(tag.trim_start_matches('#').to_lowercase()))
}

/// `GET /live/home`.
pub async fn home(State(app): State<App>, visitor: Visitor) -> Response {
    let (Some(session), Some(token)) = (&visitor.session, visitor.token.clone()) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    Sse::new(home_stream(app, session.account.id, token))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
