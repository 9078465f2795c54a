//! The design system's files and our own, compiled into the binary and served under
//! `/assets/…` with long cache lifetimes. Paths carry a version (nhsuk-frontend's, or this
//! crate's), so a new release changes every URL and nothing stale is ever used.
//! `scripts/web-assets` refreshes `assets/nhsuk/` from the pinned npm package.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The nhsuk-frontend version the files in `assets/nhsuk/` came from.
pub fn nhsuk_version() -> &'static str {
    include_str!("../assets/nhsuk/VERSION").trim()
}

/// This crate's version, which names the URLs of our own files.
pub const CANTEEN_ASSETS_VERSION: &str = env!("CARGO_PKG_VERSION");

macro_rules! nhsuk_images {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_bytes!(concat!("../assets/nhsuk/images/", $name)) as &[u8])),+]
    };
}

/// The design system's images (icons the stylesheet refers to, favicons).
const NHSUK_IMAGES: &[(&str, &[u8])] = nhsuk_images![
    "favicon.ico",
    "favicon.svg",
    "nhsuk-icon-180.png",
    "nhsuk-icon-192.png",
    "nhsuk-icon-512.png",
    "nhsuk-icon-arrow-down-circle.svg",
    "nhsuk-icon-arrow-down.svg",
    "nhsuk-icon-arrow-left-circle.svg",
    "nhsuk-icon-arrow-left.svg",
    "nhsuk-icon-arrow-right-circle.svg",
    "nhsuk-icon-arrow-right.svg",
    "nhsuk-icon-arrow-up-circle.svg",
    "nhsuk-icon-arrow-up-down.svg",
    "nhsuk-icon-arrow-up.svg",
    "nhsuk-icon-chevron-down-circle.svg",
    "nhsuk-icon-chevron-left-circle.svg",
    "nhsuk-icon-chevron-right-circle.svg",
    "nhsuk-icon-chevron-up-circle.svg",
    "nhsuk-icon-cross.svg",
    "nhsuk-icon-mask.svg",
    "nhsuk-icon-minus.svg",
    "nhsuk-icon-plus.svg",
    "nhsuk-icon-search.svg",
    "nhsuk-icon-tick.svg",
    "nhsuk-icon-user.svg",
    "nhsuk-opengraph-image.png",
];

const NHSUK_CSS: &[u8] = include_bytes!("../assets/nhsuk/nhsuk-frontend.min.css");
const NHSUK_JS: &[u8] = include_bytes!("../assets/nhsuk/nhsuk-frontend.min.js");
const CANTEEN_CSS: &[u8] = include_bytes!("../assets/canteen/canteen.css");
const CANTEEN_JS: &[u8] = include_bytes!("../assets/canteen/init.js");
const CANTEEN_COMPOSE_JS: &[u8] = include_bytes!("../assets/canteen/compose.js");
const CANTEEN_LIVE_JS: &[u8] = include_bytes!("../assets/canteen/live.js");

/// The URL of a design-system file, e.g. `nhsuk("nhsuk-frontend.min.css")`.
pub fn nhsuk(file: &str) -> String {
    format!("/assets/nhsuk/{}/{file}", nhsuk_version())
}

/// The URL of one of our own files.
pub fn canteen(file: &str) -> String {
    format!("/assets/canteen/{CANTEEN_ASSETS_VERSION}/{file}")
}

/// The bytes served at `/assets/{path}`, if any.
fn find(path: &str) -> Option<&'static [u8]> {
    if let Some(rest) = path.strip_prefix("nhsuk/").and_then(|p| p.strip_prefix(nhsuk_version())) {
        return match rest {
            "/nhsuk-frontend.min.css" => Some(NHSUK_CSS),
            "/nhsuk-frontend.min.js" => Some(NHSUK_JS),
            _ => {
                let image = rest.strip_prefix("/images/")?;
                NHSUK_IMAGES.iter().find(|(name, _)| *name == image).map(|(_, bytes)| *bytes)
            }
        };
    }
    match path.strip_prefix("canteen/")?.strip_prefix(CANTEEN_ASSETS_VERSION)? {
        "/canteen.css" => Some(CANTEEN_CSS),
        "/init.js" => Some(CANTEEN_JS),
        "/compose.js" => Some(CANTEEN_COMPOSE_JS),
        "/live.js" => Some(CANTEEN_LIVE_JS),
        _ => None,
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// `GET /assets/{*path}`.
pub async fn serve(Path(path): Path<String>) -> Response {
    let Some(bytes) = find(&path) else {
        return (StatusCode::NOT_FOUND, [(CONTENT_TYPE, "text/plain; charset=utf-8")], "Not found").into_response();
    };
    let mut res = bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_the_pages_use_resolves() {
        for url in [nhsuk("nhsuk-frontend.min.css"), nhsuk("nhsuk-frontend.min.js"), nhsuk("images/favicon.svg")] {
            assert!(find(url.trim_start_matches("/assets/")).is_some(), "{url}");
        }
        for url in [canteen("canteen.css"), canteen("init.js")] {
            assert!(find(url.trim_start_matches("/assets/")).is_some(), "{url}");
        }
        assert!(find("nhsuk/0.0.0/nhsuk-frontend.min.css").is_none());
        assert!(find("nhsuk/../../etc/passwd").is_none());
    }

    #[test]
    fn the_stylesheet_refers_only_to_files_we_serve() {
        let css = std::str::from_utf8(NHSUK_CSS).unwrap();
        assert!(!css.contains("assets.nhs.uk"), "run scripts/web-assets: the CSS loads fonts from another site");
        for part in css.split("url(").skip(1) {
            let url = part.split(')').next().unwrap().trim_matches(['"', '\'']);
            if url.starts_with("data:") {
                continue;
            }
            let path = url.strip_prefix("/assets/").unwrap_or_else(|| panic!("unexpected url {url}"));
            assert!(find(path).is_some(), "the stylesheet refers to {url}, which is not served");
        }
    }

    #[test]
    fn our_script_imports_the_bundled_design_system_version() {
        let js = std::str::from_utf8(CANTEEN_JS).unwrap();
        assert!(js.contains(&format!("/nhsuk/{}/nhsuk-frontend.min.js", nhsuk_version())));
    }
}
