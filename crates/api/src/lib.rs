//! Canteen's HTTP front doors for apps: the Mastodon client API (`/api/v1`, `/api/v2`,
//! Canteen's own `/api/v1/canteen/*`), OAuth, NodeInfo and other well-known documents.
//!
//! Handlers are thin: parse, call one `canteen_app` function, render a wire type from
//! `entities`. Handler files mirror URLs (`v1/accounts.rs` serves `/api/v1/accounts/*`); the
//! route list itself lives in the `canteen` binary crate.

pub mod activitypub;
pub mod assets;
pub mod auth;
pub mod entities;
pub mod error;
pub mod html;
pub mod oauth;
pub mod pagination;
pub mod params;
pub mod ratelimit;
pub mod v1;
pub mod v2;
pub mod well_known;

use std::sync::Arc;

use axum::extract::FromRef;
use canteen_app::App;

pub use error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct ApiState {
    pub app: App,
    pub limiter: Arc<ratelimit::RateLimiter>,
}

impl FromRef<ApiState> for App {
    fn from_ref(s: &ApiState) -> App {
        s.app.clone()
    }
}

/// The version string apps parse: Mastodon-compatible first, so clients enable the
/// features of that Mastodon version, then ours.
pub fn version_string() -> String {
    format!("4.3.0 (compatible; Canteen {})", env!("CARGO_PKG_VERSION"))
}
