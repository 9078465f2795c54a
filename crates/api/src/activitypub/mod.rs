//! ActivityPub's front door: WebFinger and host-meta (`well_known.rs` beside this holds the
//! other discovery documents), actors, their collections and posts (`users.rs`, mirroring
//! `/users/*`) and the inboxes (`inbox.rs`). Handlers are thin: the documents are built and
//! the activities verified and handled in `canteen_app::federation`.

pub mod inbox;
pub mod users;
pub mod webfinger;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use canteen_federation::webfinger::is_activitypub_media_type;

/// What ActivityPub documents are served as.
pub const ACTIVITY_JSON_UTF8: &str = "application/activity+json; charset=utf-8";

/// Whether the client asked for an ActivityPub document (`application/activity+json`, or
/// `application/ld+json` with the ActivityStreams profile) rather than a page.
pub fn wants_activitypub(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| is_activitypub_media_type(range.trim()))
}

/// A JSON-LD document. `Vary: Accept` because the same URL serves HTML to browsers.
pub fn activity_json(document: &serde_json::Value) -> Response {
    let mut res = (StatusCode::OK, document.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON_UTF8));
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    res
}

/// The page a browser gets until Canteen has web pages: a title, a line of text and a link
/// to the JSON-LD document for anyone curious.
pub fn html_placeholder(title: &str, body_html: &str, document_url: &str) -> Response {
    let title = crate::html::escape(title);
    let url = crate::html::escape(document_url);
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"alternate\" type=\"application/activity+json\" href=\"{url}\"></head>\
         <body><h1>{title}</h1>{body_html}</body></html>\n"
    );
    let mut res = (StatusCode::OK, page).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    res
}
