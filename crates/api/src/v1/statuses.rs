//! `/api/v1/statuses/*`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use canteen_app::statuses::{self, Edit, NewPost};
use canteen_app::timelines::Kind;
use canteen_app::{App, AppError};
use canteen_domain::status::Visibility;
use canteen_domain::validation::Invalid;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::WriteMutes;
use crate::auth::{
    Authed, MaybeAuthed, ReadAccounts, ReadStatuses, WriteAccounts, WriteBookmarks, WriteFavourites, WriteStatuses,
};
use crate::entities::account::{Account, account_from_domain};
use crate::entities::status::{Status, status_from_domain};
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, lenient};
use crate::v1::accounts::parse_id;

fn render(app: &App, v: &canteen_app::views::StatusView, me: Option<canteen_domain::Id>) -> Status {
    status_from_domain(&app.config.public_url, v, me)
}

fn me(auth: &canteen_app::auth::Auth) -> Option<canteen_domain::Id> {
    auth.account.as_ref().map(|a| a.id)
}

#[derive(Deserialize)]
pub struct CreateStatus {
    #[serde(default)]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    canteen_visibility: Option<String>,
    #[serde(default)]
    canteen_place: Option<String>,
    #[serde(default)]
    language: Option<String>,
    /// The fingerprint of the guard report whose warnings the author has seen.
    #[serde(default)]
    canteen_guard_ack: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    media_ids: Option<Vec<String>>,
    /// The author confirms no patient can be identified in the attached media.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    canteen_media_confirmed: Option<bool>,
    #[serde(default)]
    poll: Option<PollParams>,
    #[serde(default)]
    scheduled_at: Option<String>,
}

#[derive(Deserialize)]
pub struct PollParams {
    #[serde(default, deserialize_with = "lenient::opt_list")]
    options: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    expires_in: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    multiple: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    hide_totals: Option<bool>,
}

fn new_poll(p: PollParams) -> ApiResult<canteen_app::polls::NewPoll> {
    let expires_in = match p.expires_in.as_deref() {
        Some(s) => s.trim().parse::<i64>().map_err(|_| {
            ApiError(AppError::invalid(Invalid::new(
                "poll[expires_in]",
                "ERR_INVALID",
                "poll[expires_in] must be a number of seconds",
            )))
        })?,
        None => 86_400,
    };
    Ok(canteen_app::polls::NewPoll {
        options: p.options.unwrap_or_default(),
        expires_in,
        multiple: p.multiple.unwrap_or(false),
        hide_totals: p.hide_totals.unwrap_or(false),
    })
}

/// The audience asked for: `canteen_visibility` wins over Mastodon's `visibility`.
fn parse_visibility(mastodon: Option<&str>, canteen: Option<&str>) -> ApiResult<Option<Visibility>> {
    let (field, raw) = match (canteen.filter(|s| !s.is_empty()), mastodon.filter(|s| !s.is_empty())) {
        (Some(c), _) => ("canteen_visibility", c),
        (None, Some(m)) => ("visibility", m),
        (None, None) => return Ok(None),
    };
    Visibility::parse(raw).map(Some).ok_or_else(|| {
        ApiError(AppError::invalid(Invalid::new(
            field,
            "ERR_INCLUSION",
            format!("`{raw}` is not one of: public, unlisted, private, direct, mutuals, circle:<list id>"),
        )))
    })
}

/// `POST /api/v1/statuses`.
pub async fn create(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    headers: HeaderMap,
    Params(p): Params<CreateStatus>,
) -> ApiResult<Json<Value>> {
    let visibility = parse_visibility(p.visibility.as_deref(), p.canteen_visibility.as_deref())?;
    let in_reply_to_id = match p.in_reply_to_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id(s)?),
        None => None,
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(200).collect());
    let scheduled_at = match p.scheduled_at.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(crate::v1::scheduled_statuses::parse_time("scheduled_at", s)?),
        None => None,
    };
    let post = NewPost {
        text: p.status.unwrap_or_default(),
        spoiler_text: p.spoiler_text.unwrap_or_default(),
        sensitive: p.sensitive.unwrap_or(false),
        language: p.language.filter(|l| !l.is_empty()),
        visibility,
        in_reply_to_id,
        place: p.canteen_place,
        idempotency_key: key,
        guard_ack: p.canteen_guard_ack,
        media_ids: p.media_ids.unwrap_or_default().iter().map(|s| parse_id(s)).collect::<ApiResult<Vec<_>>>()?,
        media_confirmed_no_patient: p.canteen_media_confirmed.unwrap_or(false),
        poll: p.poll.map(new_poll).transpose()?,
    };
    if let Some(at) = scheduled_at {
        let s = canteen_app::scheduled::schedule(&app, &auth, post, at).await?;
        return Ok(Json(crate::v1::scheduled_statuses::scheduled_json(&s)));
    }
    let view = statuses::create(&app, &auth, post).await?;
    Ok(Json(serde_json::to_value(render(&app, &view, me(&auth))).unwrap_or_default()))
}

/// `GET /api/v1/statuses/:id`.
pub async fn show(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let view = statuses::get(&app, auth.0.as_ref(), parse_id(&id)?).await?;
    Ok(Json(render(&app, &view, auth.0.as_ref().and_then(me))))
}

/// `DELETE /api/v1/statuses/:id`: the deleted post, with its source text for redrafting.
pub async fn delete(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let view = statuses::delete(&app, &auth, parse_id(&id)?).await?;
    let mut out = render(&app, &view, me(&auth));
    out.text = Some(view.status.text.clone());
    Ok(Json(out))
}

#[derive(Deserialize)]
pub struct EditStatus {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    canteen_guard_ack: Option<String>,
}

/// `PUT /api/v1/statuses/:id`.
pub async fn edit(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
    Params(p): Params<EditStatus>,
) -> ApiResult<Json<Status>> {
    let view = statuses::edit(
        &app,
        &auth,
        parse_id(&id)?,
        Edit {
            text: p.status.unwrap_or_default(),
            spoiler_text: p.spoiler_text.unwrap_or_default(),
            sensitive: p.sensitive.unwrap_or(false),
            language: p.language.filter(|l| !l.is_empty()),
            guard_ack: p.canteen_guard_ack,
        },
    )
    .await?;
    Ok(Json(render(&app, &view, me(&auth))))
}

/// `GET /api/v1/statuses/:id/history`.
pub async fn history(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let (view, versions) = statuses::history(&app, auth.0.as_ref(), parse_id(&id)?).await?;
    let account = render(&app, &view, auth.0.as_ref().and_then(me)).account;
    let account = serde_json::to_value(account).unwrap_or(Value::Null);
    Ok(Json(
        versions
            .iter()
            .map(|v| {
                json!({
                    "content": canteen_app::statuses::render_text(&app, &v.text),
                    "spoiler_text": v.spoiler_text,
                    "sensitive": v.sensitive,
                    "created_at": crate::entities::iso8601(v.created_at),
                    "account": account,
                    "poll": null,
                    "media_attachments": [],
                    "emojis": []
                })
            })
            .collect(),
    ))
}

/// `GET /api/v1/statuses/:id/source` (own posts only).
pub async fn source(
    State(app): State<App>,
    auth: Authed<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let view = statuses::get(&app, Some(&auth), parse_id(&id)?).await?;
    if Some(view.account.id) != me(&auth) {
        return Err(ApiError(AppError::NotFound("Record not found".into())));
    }
    Ok(Json(
        json!({"id": view.status.id.to_string(), "text": view.status.text, "spoiler_text": view.status.spoiler_text}),
    ))
}

/// `GET /api/v1/statuses/:id/context`.
pub async fn context(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (up, down) = statuses::context(&app, auth.0.as_ref(), parse_id(&id)?).await?;
    let m = auth.0.as_ref().and_then(me);
    let r = |vs: Vec<canteen_app::views::StatusView>| vs.iter().map(|v| render(&app, v, m)).collect::<Vec<_>>();
    Ok(Json(json!({"ancestors": r(up), "descendants": r(down)})))
}

#[derive(Deserialize, Default)]
pub struct ReblogParams {
    #[serde(default)]
    visibility: Option<String>,
}

/// `POST /api/v1/statuses/:id/reblog`.
pub async fn reblog(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
    Params(p): Params<ReblogParams>,
) -> ApiResult<Json<Status>> {
    let vis = parse_visibility(p.visibility.as_deref(), None)?;
    let view = statuses::reblog(&app, &auth, parse_id(&id)?, vis).await?;
    Ok(Json(render(&app, &view, me(&auth))))
}

/// `POST /api/v1/statuses/:id/unreblog`.
pub async fn unreblog(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let view = statuses::unreblog(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(render(&app, &view, me(&auth))))
}

async fn mark(app: &App, auth: &canteen_app::auth::Auth, id: &str, kind: Kind, on: bool) -> ApiResult<Json<Status>> {
    let view = statuses::mark(app, auth, parse_id(id)?, kind, on).await?;
    Ok(Json(render(app, &view, me(auth))))
}

pub async fn favourite(
    State(app): State<App>,
    auth: Authed<WriteFavourites>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    mark(&app, &auth, &id, Kind::Favourite, true).await
}

pub async fn unfavourite(
    State(app): State<App>,
    auth: Authed<WriteFavourites>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    mark(&app, &auth, &id, Kind::Favourite, false).await
}

pub async fn bookmark(
    State(app): State<App>,
    auth: Authed<WriteBookmarks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    mark(&app, &auth, &id, Kind::Bookmark, true).await
}

pub async fn unbookmark(
    State(app): State<App>,
    auth: Authed<WriteBookmarks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    mark(&app, &auth, &id, Kind::Bookmark, false).await
}

pub async fn pin(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let view = statuses::pin(&app, &auth, parse_id(&id)?, true).await?;
    Ok(Json(render(&app, &view, me(&auth))))
}

pub async fn unpin(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let view = statuses::pin(&app, &auth, parse_id(&id)?, false).await?;
    Ok(Json(render(&app, &view, me(&auth))))
}

#[derive(Deserialize, Default)]
pub struct LimitParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

fn limit(p: &LimitParams) -> i64 {
    p.limit.as_deref().and_then(|l| l.parse().ok()).unwrap_or(40).clamp(1, 80)
}

/// `GET /api/v1/statuses/:id/favourited_by`.
pub async fn favourited_by(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Path(id): Path<String>,
    Query(p): Query<LimitParams>,
) -> ApiResult<Json<Vec<Account>>> {
    let list = statuses::who(&app, auth.0.as_ref(), parse_id(&id)?, Kind::Favourite, limit(&p)).await?;
    Ok(Json(
        list.iter()
            .map(|a| account_from_domain(&app.config.public_url, a, canteen_domain::audience::Viewer::Stranger))
            .collect(),
    ))
}

/// `GET /api/v1/statuses/:id/reblogged_by`.
pub async fn reblogged_by(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Path(id): Path<String>,
    Query(p): Query<LimitParams>,
) -> ApiResult<Json<Vec<Account>>> {
    let list = statuses::reblogged_by(&app, auth.0.as_ref(), parse_id(&id)?, limit(&p)).await?;
    Ok(Json(
        list.iter()
            .map(|a| account_from_domain(&app.config.public_url, a, canteen_domain::audience::Viewer::Stranger))
            .collect(),
    ))
}

/// `POST /api/v1/statuses/:id/mute` and `/unmute`: notifications from the conversation.
async fn mute_conversation(app: &App, auth: &canteen_app::auth::Auth, id: &str, on: bool) -> ApiResult<Json<Status>> {
    let id = parse_id(id)?;
    canteen_app::extras::mute_conversation(app, auth, id, on).await?;
    let view = statuses::get(app, Some(auth), id).await?;
    let mut out = render(app, &view, me(auth));
    out.muted = on;
    Ok(Json(out))
}

pub async fn mute(State(app): State<App>, auth: Authed<WriteMutes>, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    mute_conversation(&app, &auth, &id, true).await
}

pub async fn unmute(
    State(app): State<App>,
    auth: Authed<WriteMutes>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    mute_conversation(&app, &auth, &id, false).await
}
