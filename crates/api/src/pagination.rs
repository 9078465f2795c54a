//! Mastodon's paging: `max_id`, `since_id`, `min_id`, `limit` in; a `Link` header with
//! `next` (older) and `prev` (newer) out.

use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use canteen_app::timelines::Page;
use canteen_app::timelines::{DEFAULT_LIMIT, MAX_LIMIT};
use serde::Deserialize;

use crate::params::lenient;

#[derive(Deserialize, Default, Debug, Clone)]
pub struct PageParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub since_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub min_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub limit: Option<String>,
}

fn id(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(|v| v.parse::<i64>().ok())
}

impl PageParams {
    /// For lists of accounts, where Mastodon allows up to 80 a page (default 40).
    pub fn accounts_page(&self) -> Page {
        let limit = self.limit.as_deref().and_then(|l| l.parse::<i64>().ok()).unwrap_or(40).clamp(1, 80);
        Page { limit, ..self.page() }
    }

    /// Unparseable ids are ignored and limits clamped, as Mastodon does.
    pub fn page(&self) -> Page {
        let limit =
            self.limit.as_deref().and_then(|l| l.parse::<i64>().ok()).unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        Page { max_id: id(&self.max_id), since_id: id(&self.since_id), min_id: id(&self.min_id), limit }
    }
}

/// Adds `Link: <…max_id=oldest>; rel="next", <…min_id=newest>; rel="prev"` for a page whose
/// items have the given cursors (newest first).
pub fn with_links(mut res: Response, base: &str, uri: &Uri, newest: Option<i64>, oldest: Option<i64>) -> Response {
    let (Some(newest), Some(oldest)) = (newest, oldest) else {
        return res;
    };
    let keep: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .filter(|(k, _)| !matches!(k.as_str(), "max_id" | "min_id" | "since_id"))
                .collect()
        })
        .unwrap_or_default();
    let link = |key: &str, value: i64| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        ser.extend_pairs(keep.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        ser.append_pair(key, &value.to_string());
        format!("{base}{}?{}", uri.path(), ser.finish())
    };
    let header = format!("<{}>; rel=\"next\", <{}>; rel=\"prev\"", link("max_id", oldest), link("min_id", newest));
    if let Ok(v) = HeaderValue::from_str(&header) {
        res.headers_mut().insert(axum::http::header::LINK, v);
    }
    res
}

/// A JSON list with its `Link` header.
pub fn paged<T: serde::Serialize>(
    items: Vec<T>,
    base: &str,
    uri: &Uri,
    newest: Option<i64>,
    oldest: Option<i64>,
) -> Response {
    with_links(axum::Json(items).into_response(), base, uri, newest, oldest)
}
