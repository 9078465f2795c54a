//! Errors as Mastodon clients expect them: `{"error": "…"}` with the right status, plus
//! `error_description` for OAuth errors and `details` for validation failures. Internal
//! causes are logged, never sent.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use canteen_app::AppError;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> ApiError {
        ApiError(AppError::BadRequest(msg.into()))
    }

    pub fn status(&self) -> StatusCode {
        match &self.0 {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) | AppError::Unprocessable(_) | AppError::Guard { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::OAuth { status, .. } => StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST),
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> Value {
        match &self.0 {
            AppError::OAuth { error, description, .. } => json!({"error": error, "error_description": description}),
            AppError::Invalid(problems) => {
                let mut details: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
                for p in problems {
                    details.entry(p.field).or_default().push(json!({"error": p.code, "description": p.message}));
                }
                json!({"error": self.0.to_string(), "details": details})
            }
            AppError::Guard { message, report } => json!({"error": message, "canteen_guard": report}),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                json!({"error": "Internal server error"})
            }
            other => json!({"error": other.to_string()}),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut res = (status, Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"Canteen\", error=\"invalid_token\""),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
