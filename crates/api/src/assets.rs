//! Files served as they are: the placeholder avatar and header Mastodon clients expect.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

const MISSING_PNG: &[u8] = include_bytes!("../assets/missing.png");

/// `GET /avatars/original/missing.png` and `/headers/original/missing.png`.
pub async fn missing_image() -> impl IntoResponse {
    ([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "public, max-age=86400")], MISSING_PNG)
}
