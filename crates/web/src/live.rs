//! Server-sent events for open timeline pages: `GET /live/home` (each post that enters the
//! signed-in profile's home feed) and `/live/local`, `/live/public`, `/live/tags/{tag}` (each
//! newly listed post on that timeline). Each sends `event: post` with the post's id;
//! `assets/canteen/live.js` shows "n new posts" and the reader chooses when to see them (the
//! page never jumps). A signed-in session is checked again before an event whenever it may
//! have changed (`auth::Freshness`: a session ended, a suspension, its expiry, or a minute
//! gone by), so signing out (or suspension) ends the stream at its next event; each post goes
//! through the same audience and mute rules as the API's streams (`canteen_app::live`).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use canteen_app::App;
use canteen_app::auth::Freshness;
use canteen_app::events::{Event, Interest, Subscription};
use canteen_app::web::{PublicTimeline, WebSession};
use futures_util::stream::{self, Stream};

use crate::session::Visitor;

/// A live page's browser session: checked when the stream opened, and again before an event
/// only when it may have changed.
struct Live {
    token: String,
    session: WebSession,
    fresh: Freshness,
}

impl Live {
    /// The session as of now, or `None` once it ended (or may no longer act).
    async fn current(&mut self, app: &App) -> Option<&WebSession> {
        if self.fresh.is_due(app) {
            let epoch = app.access_epoch();
            self.session = canteen_app::web::resolve(app, &self.token).await.ok().flatten()?;
            self.fresh = Freshness::new(epoch, Some(self.session.expires_at));
        }
        Some(&self.session)
    }
}

/// What the stream carries between events: its subscription, the app and the session.
type LiveState = (Subscription, App, Live);

fn home_stream(app: App, live: Live) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let sub = app.events.subscribe(Interest { account: Some(live.session.account.id), public: false });
    stream::unfold((sub, app, live), |(mut sub, app, mut live): LiveState| async move {
        loop {
            let event = sub.recv().await?;
            let (reader, author, status) = match event {
                Event::Home { reader, status } => (Some(reader), None, status),
                Event::Followers { author, status } => (None, Some(author), status),
                _ => continue,
            };
            let session = live.current(&app).await?;
            if reader.is_some_and(|r| r != session.account.id) {
                continue;
            }
            // The same rule as the API's user stream: within the audience, author not muted
            // (and, for a pulled author's post, followed).
            let shown = canteen_app::live::home_item(&app, &session.account, status, author).await;
            if shown.ok().flatten().is_some() {
                let ev = SseEvent::default().event("post").data(status.0.to_string());
                return Some((Ok(ev), (sub, app, live)));
            }
        }
    })
}

/// What a public stream carries between events: its subscription, the app, the session (if
/// signed in) and the timeline.
type PublicState = (Subscription, App, Option<Live>, PublicTimeline);

fn public_stream(
    app: App,
    live: Option<Live>,
    which: PublicTimeline,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let sub = app.events.subscribe(Interest { account: None, public: true });
    stream::unfold((sub, app, live, which), |(mut sub, app, mut live, which): PublicState| async move {
        loop {
            let event = sub.recv().await?;
            let Event::Public { status, tags } = event else { continue };
            // Signed in when it opened: the session must still be live.
            let me = match live.as_mut() {
                Some(l) => Some(&l.current(&app).await?.account),
                None => None,
            };
            if canteen_app::web::public_live_item(&app, me, &which, status, &tags).await.unwrap_or(false) {
                let ev = SseEvent::default().event("post").data(status.0.to_string());
                return Some((Ok(ev), (sub, app, live, which)));
            }
        }
    })
}

/// The visitor's session for a live stream, if signed in. The `Visitor` extractor checked it
/// without noting the access epoch, so it is checked once more at the first event.
fn live_session(visitor: Visitor) -> Option<Live> {
    let (Some(session), Some(token)) = (visitor.session, visitor.token) else { return None };
    Some(Live { token, session, fresh: Freshness::due() })
}

fn public(app: App, visitor: Visitor, which: PublicTimeline) -> Response {
    let live = live_session(visitor);
    Sse::new(public_stream(app, live, which))
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
    let Some(live) = live_session(visitor) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    Sse::new(home_stream(app, live)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}
