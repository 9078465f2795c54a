//! `POST /inbox` (shared) and `POST /users/{username}/inbox`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use canteen_app::federation::inbox::{self, InboxRequest, Outcome};
use canteen_app::{App, AppError};
use serde_json::json;

use crate::error::ApiError;

/// `POST /inbox`.
pub async fn shared(State(app): State<App>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    receive(&app, method, &uri, headers, body, None).await
}

/// `POST /users/{username}/inbox`.
pub async fn personal(
    State(app): State<App>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&app, method, &uri, headers, body, Some(username)).await
}

async fn receive(
    app: &App,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
    recipient: Option<String>,
) -> Response {
    let path_and_query = uri.path_and_query().map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    let req = InboxRequest { method, path_and_query, headers, body: body.to_vec(), recipient };
    match inbox::receive(app, req).await {
        Ok(Outcome::Handled(_) | Outcome::Ignored(_)) => StatusCode::ACCEPTED.into_response(),
        // A signature problem: say exactly what, and which scheme is expected (not Bearer).
        Err(AppError::Unauthorized(message)) => {
            let mut res = (StatusCode::UNAUTHORIZED, Json(json!({"error": message}))).into_response();
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Signature realm=\"Canteen\""));
            res
        }
        Err(e) => ApiError(e).into_response(),
    }
}
