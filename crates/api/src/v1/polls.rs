//! `/api/v1/polls/*`.

use axum::Json;
use axum::extract::{Path, State};
use canteen_app::{App, polls};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::{Authed, MaybeAuthed, ReadStatuses, WriteStatuses};
use crate::entities::status::poll_from_domain;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, lenient};
use crate::v1::accounts::parse_id;

/// `GET /api/v1/polls/:id`.
pub async fn show(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(poll_from_domain(&polls::get(&app, auth.0.as_ref(), parse_id(&id)?).await?)))
}

#[derive(Deserialize)]
pub struct Vote {
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    choices: Option<Vec<String>>,
}

/// `POST /api/v1/polls/:id/votes`.
pub async fn vote(
    State(app): State<App>,
    auth: Authed<WriteStatuses>,
    Path(id): Path<String>,
    Params(p): Params<Vote>,
) -> ApiResult<Json<Value>> {
    let choices = p
        .choices
        .unwrap_or_default()
        .iter()
        .map(|c| {
            c.trim().parse::<i64>().map_err(|_| ApiError::bad_request(format!("Choice `{c}` is not an option number")))
        })
        .collect::<ApiResult<Vec<i64>>>()?;
    if choices.is_empty() {
        return Err(ApiError::bad_request("Param is missing or the value is empty: choices"));
    }
    Ok(Json(poll_from_domain(&polls::vote(&app, &auth, parse_id(&id)?, &choices).await?)))
}
