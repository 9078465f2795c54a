//! `/api/v1/streaming/*`: live timelines over Server-Sent Events and WebSocket, with
//! Mastodon's event names and payloads. Every post is checked for its viewer by the same
//! audience rule as the REST reads, against the post's audience sets (who follows, blocks or
//! mutes its author), which are read again after any relationship change, so a block or mute
//! made mid-stream takes effect at the next event; the post itself is built and serialised
//! once per event and kind of viewer, not once per stream (`canteen_app::live`).
//! The caller's token is checked again only when it may have changed (`auth::Freshness`): a
//! revoked token or suspended profile still ends the stream at its next event.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRef, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use canteen_app::auth::{Auth, Freshness, authenticate};
use canteen_app::events::{Event, Interest, Subscription};
use canteen_app::live::LiveItem;
use canteen_app::{App, AppError, notifications};
use canteen_domain::Id;
use canteen_domain::status::Visibility;
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use serde_json::json;

use crate::entities::status::{notification_from_domain, status_from_domain};
use crate::error::{ApiError, ApiResult};

/// One stream a client can subscribe to, as Mastodon names them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    User,
    UserNotification,
    Public,
    PublicLocal,
    Hashtag(String),
    HashtagLocal(String),
    List(Id),
}

impl Channel {
    fn parse(stream: &str, tag: Option<&str>, list: Option<&str>) -> Option<Channel> {
        let tag = || tag.map(|t| t.trim_start_matches('#').to_lowercase()).filter(|t| !t.is_empty());
        Some(match stream {
            "user" => Channel::User,
            "user:notification" => Channel::UserNotification,
            "public" => Channel::Public,
            "public:local" => Channel::PublicLocal,
            "hashtag" => Channel::Hashtag(tag()?),
            "hashtag:local" => Channel::HashtagLocal(tag()?),
            "list" => Channel::List(Id::parse(list?)?),
            _ => return None,
        })
    }

    fn name(&self) -> Vec<String> {
        match self {
            Channel::User => vec!["user".into()],
            Channel::UserNotification => vec!["user:notification".into()],
            Channel::Public => vec!["public".into()],
            Channel::PublicLocal => vec!["public:local".into()],
            Channel::Hashtag(t) => vec!["hashtag".into(), t.clone()],
            Channel::HashtagLocal(t) => vec!["hashtag:local".into(), t.clone()],
            Channel::List(id) => vec!["list".into(), id.to_string()],
        }
    }

    /// Fed by new public posts (so its subscriber asks the bus for them).
    fn is_public(&self) -> bool {
        matches!(self, Channel::Public | Channel::PublicLocal | Channel::Hashtag(_) | Channel::HashtagLocal(_))
    }

    /// Whether `event` could be for this channel at all, before anything is read for it: a
    /// hashtag stream skips posts without its tag without checking the caller's token.
    fn may_carry(&self, event: &Event) -> bool {
        match (self, event) {
            (Channel::Hashtag(t) | Channel::HashtagLocal(t), Event::Public { tags, .. }) => tags.contains(t),
            (Channel::UserNotification, e) => matches!(e, Event::Notification { .. }),
            _ => true,
        }
    }

    fn needs_user(&self) -> bool {
        matches!(self, Channel::User | Channel::UserNotification | Channel::List(_))
    }
}

/// An event ready to send: Mastodon's event name and its payload (JSON text, or an id).
struct Outgoing {
    channel: Channel,
    event: &'static str,
    payload: String,
}

/// Renders `event` for one viewer on one channel, or `None` if it is not for them.
async fn render(
    app: &App,
    auth: Option<&Auth>,
    channel: &Channel,
    event: &Event,
) -> Result<Option<Outgoing>, AppError> {
    let me = auth.and_then(|a| a.account.as_ref());
    let my_id = me.map(|a| a.id);
    // Shared items are serialised once per post and kind of viewer: `status_from_domain`
    // differs between viewers only for the author's own post, which is never shared.
    let json = |item: &LiveItem| {
        item.rendered(|v| {
            serde_json::to_string(&status_from_domain(&app.config.public_url, v, my_id)).unwrap_or_default()
        })
    };
    let item_for = |id: Id| canteen_app::live::item(app, me, id, None);
    // A pulled author's post: only for those who follow the author (`Event::Followers`).
    let follower_item_for = |author: Id, id: Id| canteen_app::live::item(app, me, id, Some(author));
    // The user stream is the home timeline: it also leaves out exclusive lists' members.
    let home_item_for = |follower_of: Option<Id>, id: Id| async move {
        match me {
            Some(me) => canteen_app::live::home_item(app, me, id, follower_of).await,
            None => Ok(None),
        }
    };
    let out = |event, payload| Some(Outgoing { channel: channel.clone(), event, payload });
    // The `:local` channels carry posts by this server's accounts only.
    let local_only = matches!(channel, Channel::PublicLocal | Channel::HashtagLocal(_));
    let in_scope = |item: &LiveItem| !local_only || item.view().account.domain.is_none();
    // Public and hashtag channels leave out silenced servers, as the public timelines do.
    let public_item = |id: Id| async move {
        match item_for(id).await? {
            Some(i) if in_scope(&i) && canteen_app::live::on_public_streams(app, i.view()).await? => Ok(Some(i)),
            _ => Ok::<_, AppError>(None),
        }
    };
    Ok(match (channel, event) {
        (Channel::User, Event::Home { reader, status }) if Some(*reader) == my_id => {
            home_item_for(None, *status).await?.and_then(|i| out("update", json(&i)))
        }
        (Channel::User, Event::Followers { author, status }) => {
            home_item_for(Some(*author), *status).await?.and_then(|i| out("update", json(&i)))
        }
        (Channel::User | Channel::UserNotification, Event::Notification { account, id })
            if Some(*account) == my_id && auth.is_some_and(|a| a.scopes.allows("read:notifications")) =>
        {
            match (auth, my_id) {
                (Some(a), Some(me)) => match notifications::get(app, a, *id).await {
                    Ok(n) => {
                        let json = notification_from_domain(&app.config.public_url, &n, me);
                        out("notification", serde_json::to_string(&json).unwrap_or_default())
                    }
                    Err(_) => None,
                },
                _ => None,
            }
        }
        (Channel::Public | Channel::PublicLocal, Event::Public { status, .. }) => {
            public_item(*status).await?.and_then(|i| out("update", json(&i)))
        }
        (Channel::Hashtag(t) | Channel::HashtagLocal(t), Event::Public { status, tags }) if tags.contains(t) => {
            public_item(*status).await?.and_then(|i| out("update", json(&i)))
        }
        (Channel::List(list), Event::Home { reader, status }) if Some(*reader) == my_id => {
            let members = match auth {
                Some(a) => canteen_app::lists::members(app, a, *list).await?,
                None => Vec::new(),
            };
            let Some(item) = item_for(*status).await? else { return Ok(None) };
            let author = item.view().account.id;
            if members.iter().any(|m| m.id == author) { out("update", json(&item)) } else { None }
        }
        // A pulled author's post reaches a list stream if the author is on the list (and followed).
        (Channel::List(list), Event::Followers { author, status }) => {
            let members = match auth {
                Some(a) => canteen_app::lists::members(app, a, *list).await?,
                None => Vec::new(),
            };
            if !members.iter().any(|m| m.id == *author) {
                return Ok(None);
            }
            follower_item_for(*author, *status).await?.and_then(|i| out("update", json(&i)))
        }
        (Channel::UserNotification, _) => None,
        (_, Event::Delete { status }) => out("delete", status.to_string()),
        (
            Channel::Public | Channel::PublicLocal | Channel::Hashtag(_) | Channel::HashtagLocal(_),
            Event::Update { status },
        ) => {
            // Public channels only carry edits of public posts.
            public_item(*status)
                .await?
                .filter(|i| i.view().status.visibility == Visibility::Public)
                .and_then(|i| out("status.update", json(&i)))
        }
        (_, Event::Update { status }) => item_for(*status).await?.and_then(|i| out("status.update", json(&i))),
        _ => None,
    })
}

/// The token from `Authorization`, `access_token=` or `Sec-WebSocket-Protocol`.
fn token(parts: &Parts) -> Option<String> {
    crate::auth::bearer(parts).or_else(|| {
        parts
            .headers
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.split(',').next().unwrap_or("").trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

/// The (optional) caller of a streaming request, with their token and when it was checked.
/// Streams need `read` (or `read:statuses`).
pub struct StreamAuth(pub Option<Auth>, pub Option<String>, pub Freshness);

impl<S> FromRequestParts<S> for StreamAuth
where
    S: Send + Sync,
    App: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let app = App::from_ref(state);
        // Read before the check, so a revocation during it is seen at the first event.
        let epoch = app.access_epoch();
        let Some(t) = token(parts) else { return Ok(StreamAuth(None, None, Freshness::new(epoch, None))) };
        let auth = authenticate(&app, &t).await?;
        auth.require("read:statuses")?;
        let fresh = Freshness::new(epoch, auth.expires_at);
        Ok(StreamAuth(Some(auth), Some(t), fresh))
    }
}

#[derive(Deserialize, Default)]
pub struct StreamQuery {
    stream: Option<String>,
    tag: Option<String>,
    list: Option<String>,
}

fn channel_for(auth: &Option<Auth>, stream: &str, q: &StreamQuery) -> ApiResult<Channel> {
    let ch = Channel::parse(stream, q.tag.as_deref(), q.list.as_deref())
        .ok_or_else(|| ApiError::bad_request(format!("Unknown stream `{stream}` (or a missing tag or list)")))?;
    if ch.needs_user() && auth.as_ref().and_then(|a| a.account.as_ref()).is_none() {
        return Err(ApiError(AppError::Unauthorized("Missing access token".into())));
    }
    Ok(ch)
}

/// An open stream's caller: checked when it opened, and again before an event only when the
/// check may have changed (`Freshness`), not per event.
struct Caller {
    token: Option<String>,
    auth: Option<Auth>,
    fresh: Freshness,
}

impl Caller {
    /// The caller as of now, or `None` once their token was revoked or expired, or their
    /// login or profile may no longer act: the stream ends.
    async fn current(&mut self, app: &App) -> Option<Option<&Auth>> {
        if let Some(t) = &self.token
            && self.fresh.is_due(app)
        {
            let epoch = app.access_epoch();
            let auth = authenticate(app, t).await.ok()?;
            self.fresh = Freshness::new(epoch, auth.expires_at);
            self.auth = Some(auth);
        }
        Some(self.auth.as_ref())
    }
}

type SseState = (Subscription, App, Caller, Channel);

/// What a stream for `auth` on `channels` asks the bus for.
fn interest<'a>(auth: &Option<Auth>, mut channels: impl Iterator<Item = &'a Channel>) -> Interest {
    Interest {
        account: auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.id),
        public: channels.any(Channel::is_public),
    }
}

fn sse_stream(
    app: App,
    interest: Interest,
    caller: Caller,
    channel: Channel,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let sub = app.events.subscribe(interest);
    stream::unfold((sub, app, caller, channel), |(mut sub, app, mut caller, channel): SseState| async move {
        loop {
            let event = sub.recv().await?;
            if !channel.may_carry(&event) {
                continue;
            }
            let auth = caller.current(&app).await?;
            if let Ok(Some(o)) = render(&app, auth, &channel, &event).await {
                let ev = SseEvent::default().event(o.event).data(o.payload);
                return Some((Ok(ev), (sub, app, caller, channel)));
            }
        }
    })
}

fn sse(app: App, auth: Option<Auth>, token: Option<String>, fresh: Freshness, channel: Channel) -> Response {
    let interest = interest(&auth, std::iter::once(&channel));
    Sse::new(sse_stream(app, interest, Caller { token, auth, fresh }, channel))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

pub async fn user(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "user", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

pub async fn user_notification(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "user:notification", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

pub async fn public(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "public", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

pub async fn public_local(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "public:local", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

pub async fn hashtag(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "hashtag", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

pub async fn hashtag_local(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "hashtag:local", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

pub async fn list(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
) -> ApiResult<Response> {
    let ch = channel_for(&auth, "list", &q)?;
    Ok(sse(app, auth, token, fresh, ch))
}

/// `GET /api/v1/streaming/health`.
pub async fn health() -> &'static str {
    "OK"
}

/// `GET /api/v1/streaming` (WebSocket). The token may come as the subprotocol, which is
/// echoed back as browsers (and masto) require.
pub async fn websocket(
    State(app): State<App>,
    StreamAuth(auth, token, fresh): StreamAuth,
    Query(q): Query<StreamQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let mut initial = BTreeSet::new();
    if let Some(stream) = q.stream.as_deref() {
        initial.insert(channel_for(&auth, stream, &q)?);
    }
    let caller = Caller { token: token.clone(), auth, fresh };
    // Small buffers: thousands of sockets may be open, and clients only send short
    // subscribe messages (tungstenite's defaults are 128 KiB buffers and 64 MiB messages).
    let ws = ws.read_buffer_size(4 * 1024).write_buffer_size(0).max_message_size(64 * 1024).max_frame_size(64 * 1024);
    let ws = match token {
        Some(t) => ws.protocols([t]),
        None => ws,
    };
    Ok(ws.on_upgrade(move |socket| run_socket(socket, app, caller, initial)))
}

#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    stream: String,
    tag: Option<String>,
    list: Option<String>,
}

async fn run_socket(mut socket: WebSocket, app: App, mut caller: Caller, mut channels: BTreeSet<Channel>) {
    let mut sub = app.events.subscribe(interest(&caller.auth, channels.iter()));
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { return };
                if let Message::Text(text) = msg {
                    let Ok(m) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
                        let err = json!({"error": "Could not read the message", "status": 400}).to_string();
                        if socket.send(Message::Text(err.into())).await.is_err() { return }
                        continue;
                    };
                    let q = StreamQuery { stream: None, tag: m.tag, list: m.list };
                    match (m.kind.as_str(), channel_for(&caller.auth, &m.stream, &q)) {
                        ("subscribe", Ok(ch)) => {
                            if ch.is_public() {
                                sub.add_public();
                            }
                            channels.insert(ch);
                        }
                        ("unsubscribe", Ok(ch)) => { channels.remove(&ch); }
                        (_, Err(e)) => {
                            let err = json!({"error": e.0.to_string(), "status": e.status().as_u16()}).to_string();
                            if socket.send(Message::Text(err.into())).await.is_err() { return }
                        }
                        _ => {}
                    }
                }
            }
            event = sub.recv() => {
                let Some(event) = event else { return };
                if !channels.iter().any(|ch| ch.may_carry(&event)) {
                    continue;
                }
                // A revoked token or suspended profile ends the connection.
                let Some(current) = caller.current(&app).await else { return };
                for ch in &channels {
                    if let Ok(Some(o)) = render(&app, current, ch, &event).await {
                        let frame = json!({"stream": o.channel.name(), "event": o.event, "payload": o.payload}).to_string();
                        if socket.send(Message::Text(frame.into())).await.is_err() { return }
                    }
                }
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() { return }
            }
        }
    }
}
