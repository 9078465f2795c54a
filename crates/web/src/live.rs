//! `GET /live/home`: server-sent events for an open home page. Each post that enters the
//! signed-in profile's home feed sends `event: post` with its id; `assets/canteen/live.js`
//! shows "n new posts" and the reader chooses when to see them (the page never jumps).
//! The session is checked again before each event, so signing out (or suspension) ends the
//! stream, and each post goes through the same audience and mute rules as the API's user stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use canteen_app::App;
use canteen_app::events::Event;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;

use crate::session::Visitor;

/// What the stream carries between events: the bus, the app and the session's token.
type LiveState = (broadcast::Receiver<Event>, App, String);

fn home_stream(app: App, token: String) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let rx = app.events.subscribe();
    stream::unfold((rx, app, token), |(mut rx, app, token): LiveState| async move {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            let Event::Home { reader, status } = event else { continue };
            let session = canteen_app::web::resolve(&app, &token).await.ok().flatten()?;
            if session.account.id != reader {
                continue;
            }
            // The same rule as the API's user stream: within the audience, author not muted.
            if canteen_app::timelines::live_item(&app, Some(&session.account), status).await.ok().flatten().is_some() {
                let ev = SseEvent::default().event("post").data(status.0.to_string());
                return Some((Ok(ev), (rx, app, token)));
            }
        }
    })
}

/// `GET /live/home`.
pub async fn home(State(app): State<App>, visitor: Visitor) -> Response {
    let (Some(_), Some(token)) = (&visitor.session, visitor.token.clone()) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    Sse::new(home_stream(app, token)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}
