//! `/api/v1/media`, `/api/v2/media`, `/api/v1/media/:id`, and the stored files.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use canteen_app::{App, AppError, media};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::{Authed, WriteMedia};
use crate::entities::media::media_from_domain;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::v1::accounts::parse_id;

/// Largest upload body (the image limit plus room for the form).
pub const MAX_UPLOAD_BODY: usize = media::MAX_BYTES + 256 * 1024;

/// `POST /api/v1/media` and `/api/v2/media`: multipart with `file`, optional `description`
/// and `focus`. Images are processed before answering, so this returns 200 (not 202).
pub async fn upload(State(app): State<App>, auth: Authed<WriteMedia>, mut mp: Multipart) -> ApiResult<Json<Value>> {
    let (mut file, mut description, mut focus) = (None, None, None);
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError(AppError::TooLarge(format!("The file is larger than {} MB", media::MAX_BYTES / (1024 * 1024))))
        } else {
            ApiError::bad_request(format!("Malformed multipart body: {e}"))
        }
    };
    while let Some(field) = mp.next_field().await.map_err(malformed)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(malformed)?.to_vec()),
            "description" => description = Some(field.text().await.map_err(malformed)?),
            "focus" => focus = Some(media::parse_focus(&field.text().await.map_err(malformed)?)?),
            _ => {}
        }
    }
    let file = file.ok_or_else(|| ApiError::bad_request("Param is missing or the value is empty: file"))?;
    let rec = media::upload(&app, &auth, file, description, focus).await?;
    Ok(Json(media_from_domain(&app.config.public_url, &rec)))
}

/// `GET /api/v1/media/:id`.
pub async fn show(State(app): State<App>, auth: Authed<WriteMedia>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let rec = media::own(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(media_from_domain(&app.config.public_url, &rec)))
}

#[derive(Deserialize)]
pub struct UpdateMedia {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    focus: Option<String>,
}

/// `PUT /api/v1/media/:id`.
pub async fn update(
    State(app): State<App>,
    auth: Authed<WriteMedia>,
    Path(id): Path<String>,
    Params(p): Params<UpdateMedia>,
) -> ApiResult<Json<Value>> {
    let focus = match p.focus.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(media::parse_focus(f)?),
        None => None,
    };
    let rec = media::update(&app, &auth, parse_id(&id)?, p.description, focus).await?;
    Ok(Json(media_from_domain(&app.config.public_url, &rec)))
}

/// `GET /system/media/:key`: a stored file.
pub async fn file(State(app): State<App>, Path(key): Path<String>) -> ApiResult<Response> {
    match media::file(&app, &key).await? {
        Some((bytes, mime, public)) => {
            // Only files of public and unlisted posts may sit in shared caches.
            let cache = if public { "public, max-age=31536000, immutable" } else { "private, no-store" };
            Ok(([(CONTENT_TYPE, mime), (CACHE_CONTROL, cache.to_string())], bytes).into_response())
        }
        None => Err(ApiError(AppError::NotFound("Record not found".into()))),
    }
}
