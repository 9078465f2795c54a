//! `GET /.well-known/webfinger` and `GET /.well-known/host-meta`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use canteen_app::App;
use canteen_app::federation::documents;
use canteen_federation::webfinger::JRD_JSON;

use crate::error::{ApiError, ApiResult};

/// `GET /.well-known/webfinger?resource=acct:user@domain` (or an actor/profile URL).
pub async fn show(State(app): State<App>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let resource = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| ApiError::bad_request("Missing resource parameter"))?;
    let jrd = documents::webfinger(&app, &resource).await?;
    let body = serde_json::to_string(&jrd).map_err(|e| canteen_app::AppError::Internal(e.to_string()))?;
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JRD_JSON));
    Ok(res)
}

/// `GET /.well-known/host-meta`.
pub async fn host_meta(State(app): State<App>) -> Response {
    let mut res = documents::host_meta(&app).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xrd+xml; charset=utf-8"));
    res
}
