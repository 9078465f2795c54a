//! ActivityPub, wired: the documents other servers fetch (`documents`), local accounts' keys
//! (`keys`), the SSRF-safe HTTP client (`fetch`), remote actors and their keys (`actors`), the
//! inbox (`inbox`), the activities local posts and follow decisions send (`outbox`) and signed
//! delivery through the job table (`delivery`). The protocol pieces
//! themselves (signatures, vocabulary, addressing, the SSRF policy) are `canteen_federation`,
//! which does no I/O; this module is where it meets the store and the network.

pub mod actors;
pub mod delivery;
pub mod documents;
pub mod domains;
pub mod fetch;
pub mod inbox;
pub mod instance_actor;
pub mod keys;
pub mod notes;
pub mod outbox;
pub mod resolve;

use crate::AppConfig;

pub use canteen_federation as protocol;

/// The id of an account's signing key, as its actor document publishes it.
pub fn key_id(actor_uri: &str) -> String {
    format!("{actor_uri}#main-key")
}

/// The shared inbox: one delivery per server, however many local recipients.
pub fn shared_inbox(cfg: &AppConfig) -> String {
    format!("{}/inbox", cfg.public_url)
}

/// `host[:port]` of a URL, lowercased: how remote servers are told apart (two servers on one
/// host but different ports are different servers).
pub fn authority_of(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// The local username an id of ours names (`{public_url}/users/{name}`), if it is one.
pub fn local_username<'a>(cfg: &AppConfig, uri: &'a str) -> Option<&'a str> {
    let rest = uri.strip_prefix(cfg.public_url.as_str())?.strip_prefix("/users/")?;
    (!rest.is_empty() && !rest.contains(['/', '?', '#'])).then_some(rest)
}

/// Whether a URI is on this server (remote documents must never claim our ids).
pub fn is_local_uri(cfg: &AppConfig, uri: &str) -> bool {
    uri.strip_prefix(cfg.public_url.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// RFC 3339 in UTC, seconds precision, as ActivityPub servers write `published`.
pub(crate) fn rfc3339(unix_millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_millis).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
