//! `/api/v1/scheduled_statuses/*` and `/api/v1/markers`.

use axum::Json;
use axum::extract::{Path, State};
use canteen_app::scheduled::{self, Scheduled};
use canteen_app::{App, AppError};
use canteen_domain::validation::Invalid;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Authed, ReadStatuses, WriteStatuses};
use crate::entities::iso8601;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, lenient};
use crate::v1::accounts::parse_id;

/// Mastodon's `ScheduledStatus`.
pub fn scheduled_json(s: &Scheduled) -> Value {
    let p = &s.params;
    json!({
        "id": s.id.to_string(),
        "scheduled_at": iso8601(s.scheduled_at),
        "params": {
            "text": p.text,
            "spoiler_text": p.spoiler_text,
            "sensitive": p.sensitive,
            "language": p.language,
            "visibility": p.visibility.as_deref().and_then(canteen_domain::status::Visibility::parse).map(|v| v.mastodon()),
            "canteen_visibility": p.visibility,
            "in_reply_to_id": p.in_reply_to_id.map(|i| i.to_string()),
            "media_ids": p.media_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
            "poll": p.poll.as_ref().map(|q| json!({"options": q.options, "expires_in": q.expires_in, "multiple": q.multiple, "hide_totals": q.hide_totals})),
            "scheduled_at": null,
            "idempotency": null,
            "application_id": null,
            "with_rate_limit": false
        },
        "media_attachments": []
    })
}

/// Parses an ISO 8601 time as Mastodon accepts it.
pub fn parse_time(field: &'static str, s: &str) -> ApiResult<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).map(|t| t.timestamp_millis()).map_err(|_| {
        ApiError(AppError::invalid(Invalid::new(
            field,
            "ERR_INVALID",
            format!("`{s}` is not an ISO 8601 time such as 2026-12-01T09:00:00Z"),
        )))
    })
}

pub async fn index(State(app): State<App>, auth: Authed<ReadStatuses>) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(scheduled::list(&app, &auth).await?.iter().map(scheduled_json).collect()))
}

pub async fn show(
    State(app): State<App>,
    auth: Authed<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(scheduled_json(&scheduled::get(&app, &auth, parse_id(&id)?).await?)))
}

#[derive(Deserialize)]
pub struct Reschedule {
    scheduled_at: String,
}

pub async fn update(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
    Params(p): Params<Reschedule>,
) -> ApiResult<Json<Value>> {
    let at = parse_time("scheduled_at", &p.scheduled_at)?;
    Ok(Json(scheduled_json(&scheduled::reschedule(&app, &auth, parse_id(&id)?, at).await?)))
}

pub async fn delete(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    scheduled::cancel(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn markers_json(app: &App, auth: &canteen_app::auth::Auth) -> ApiResult<Value> {
    let mut out = serde_json::Map::new();
    for (timeline, last, version, updated) in scheduled::markers(app, auth).await? {
        out.insert(
            timeline,
            json!({"last_read_id": last.to_string(), "version": version, "updated_at": iso8601(updated)}),
        );
    }
    Ok(Value::Object(out))
}

/// `GET /api/v1/markers`.
pub async fn markers(State(app): State<App>, auth: Authed<ReadStatuses>) -> ApiResult<Json<Value>> {
    markers_json(&app, &auth).await.map(Json)
}

#[derive(Deserialize)]
pub struct MarkerParams {
    #[serde(default)]
    home: Option<Marker>,
    #[serde(default)]
    notifications: Option<Marker>,
}

#[derive(Deserialize)]
pub struct Marker {
    #[serde(deserialize_with = "lenient::opt_string", default)]
    last_read_id: Option<String>,
}

/// `POST /api/v1/markers`.
pub async fn set_markers(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Params(p): Params<MarkerParams>,
) -> ApiResult<Json<Value>> {
    for (timeline, m) in [("home", p.home), ("notifications", p.notifications)] {
        if let Some(id) = m.and_then(|m| m.last_read_id) {
            let id = id
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("{timeline}[last_read_id] must be an id")))?;
            scheduled::set_marker(&app, &auth, timeline, id).await?;
        }
    }
    markers_json(&app, &auth).await.map(Json)
}
