//! Cookies: the session cookie and the signed-out forms' CSRF cookie, and the `Visitor`
//! extractor that resolves them.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::response::Response;
use canteen_app::App;
use canteen_app::web::{self, WebSession};

pub const SESSION_COOKIE: &str = "canteen_session";
pub const FORM_COOKIE: &str = "canteen_csrf";

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// Whether `value` looks like one of our tokens (43 URL-safe base64 characters).
pub fn well_formed(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn secure(app: &App) -> &'static str {
    if app.config.public_url.starts_with("https://") { "; Secure" } else { "" }
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(app: &App, token: &str) -> String {
    let max_age = web::SESSION_LIFETIME_MS / 1000;
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", secure(app))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(app: &App) -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure(app))
}

/// `Set-Cookie` for the signed-out forms' token (lasts as long as the browser session).
pub fn form_cookie(app: &App, token: &str) -> String {
    format!("{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}", secure(app))
}

/// Who is asking: a signed-in session, or no one; plus the raw cookies forms check against.
pub struct Visitor {
    pub session: Option<WebSession>,
    /// The session cookie's token, when it names a live session.
    pub token: Option<String>,
    /// The signed-out forms' token from its cookie, when well formed.
    pub form_token: Option<String>,
}

impl<S> FromRequestParts<S> for Visitor
where
    App: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = App::from_ref(state);
        let form_token = cookie(&parts.headers, FORM_COOKIE).filter(|t| well_formed(t));
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| well_formed(t)) else {
            return Ok(Visitor { session: None, token: None, form_token });
        };
        match web::resolve(&app, &token).await {
            Ok(Some(session)) => Ok(Visitor { session: Some(session), token: Some(token), form_token }),
            Ok(None) => Ok(Visitor { session: None, token: None, form_token }),
            Err(e) => Err(crate::pages::internal_error(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several_headers() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, "a=1; canteen_session=abc".parse().unwrap());
        h.append(COOKIE, "canteen_csrf=xyz".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, FORM_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn only_our_token_shape_is_well_formed() {
        assert!(well_formed(&"a".repeat(43)));
        assert!(!well_formed(&"a".repeat(42)));
        assert!(!well_formed(&format!("{};", "a".repeat(42))));
    }
}
