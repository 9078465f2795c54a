//! Mastodon's JSON entities, built from domain types by functions named for the direction
//! (`account_from_domain`). Wire types never leak into `canteen_app`.

pub mod account;
pub mod media;
pub mod oauth;
pub mod status;

/// Mastodon's timestamp format: ISO 8601 in UTC with milliseconds.
pub fn iso8601(unix_millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
