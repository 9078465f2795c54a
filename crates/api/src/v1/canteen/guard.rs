//! `/api/v1/canteen/guard/*`: check a draft, read and set the organisation's policy, and
//! read the audit trail of acknowledged findings.

use axum::Json;
use axum::extract::{Query, State};
use canteen_app::App;
use canteen_app::guard;
use canteen_domain::status::Visibility;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{AdminRead, AdminWrite, Authed, ReadAccounts, WriteStatuses};
use crate::entities::iso8601;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, lenient};

#[derive(Deserialize)]
pub struct CheckParams {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    canteen_visibility: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    has_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    media_confirmed_no_patient: Option<bool>,
    #[serde(default)]
    poll: Option<PollOptions>,
}

#[derive(Deserialize)]
pub struct PollOptions {
    #[serde(default, deserialize_with = "lenient::opt_list")]
    options: Option<Vec<String>>,
}

/// `POST /api/v1/canteen/guard/check`: the report for a draft, for live feedback while typing.
pub async fn check(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Params(p): Params<CheckParams>,
) -> ApiResult<Json<canteen_guard::Report>> {
    auth.signed_in()?;
    let raw = p.canteen_visibility.or(p.visibility).unwrap_or_else(|| "public".into());
    let visibility =
        Visibility::parse(&raw).ok_or_else(|| ApiError::bad_request(format!("Unknown visibility `{raw}`")))?;
    let ctx = canteen_guard::Context {
        visibility: guard::audience(visibility),
        has_media: p.has_media.unwrap_or(false),
        media_confirmed_no_patient: p.media_confirmed_no_patient.unwrap_or(false),
    };
    let text = p.status.or(p.text).unwrap_or_default();
    let options = p.poll.and_then(|p| p.options).unwrap_or_default();
    let draft =
        guard::Draft { text: &text, spoiler_text: p.spoiler_text.as_deref().unwrap_or(""), poll_options: &options };
    Ok(Json(guard::check(&app, draft, ctx).await?))
}

/// `GET /api/v1/canteen/guard/policy`: what staff are held to.
pub async fn policy(State(app): State<App>, auth: Authed<ReadAccounts>) -> ApiResult<Json<canteen_guard::Policy>> {
    auth.signed_in()?;
    Ok(Json(guard::policy(&app).await?))
}

/// `PUT /api/v1/canteen/guard/policy` (admins): the body is the policy as JSON.
pub async fn set_policy(
    State(app): State<App>,
    auth: Authed<AdminWrite>,
    body: axum::body::Bytes,
) -> ApiResult<Json<canteen_guard::Policy>> {
    let json = std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("The policy must be UTF-8 JSON"))?;
    Ok(Json(guard::set_policy(&app, &auth, json).await?))
}

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v1/canteen/guard/audit` (admins): acknowledged findings — who, when, which
/// category; never the text.
pub async fn audit(
    State(app): State<App>,
    auth: Authed<AdminRead>,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<Vec<Value>>> {
    let max = p.max_id.as_deref().and_then(|m| m.parse().ok());
    let limit = p.limit.as_deref().and_then(|l| l.parse().ok()).unwrap_or(40);
    let rows = guard::audit(&app, &auth, max, limit).await?;
    Ok(Json(
        rows.iter()
            .map(|r| {
                json!({"id": r.id.to_string(), "account_id": r.account_id.to_string(), "category": r.category,
                       "severity": r.severity, "audience": r.audience, "created_at": iso8601(r.created_at)})
            })
            .collect(),
    ))
}
