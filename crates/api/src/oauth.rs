//! `/oauth/token` and `/oauth/revoke`. The sign-in and consent page (`/oauth/authorize`)
//! is a web page, in `canteen-web`.

use axum::Json;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use canteen_app::App;
use canteen_app::oauth::{self, TokenRequest};
use serde::Deserialize;
use serde_json::json;

use crate::entities::oauth::token_from_domain;
use crate::error::ApiResult;
use crate::params::{Params, lenient};

#[derive(Deserialize, Default)]
pub struct TokenParams {
    #[serde(default)]
    grant_type: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    code_verifier: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scopes: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1), if sent that way.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(bytes).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    Some((unescape(id), unescape(secret)))
}

/// `POST /oauth/token`.
pub async fn token(State(app): State<App>, headers: HeaderMap, Params(p): Params<TokenParams>) -> ApiResult<Response> {
    let (mut client_id, mut client_secret) = (p.client_id.unwrap_or_default(), p.client_secret);
    if let Some((id, secret)) = basic_credentials(&headers) {
        client_id = id;
        client_secret = Some(secret);
    }
    let issued = oauth::token(
        &app,
        TokenRequest {
            grant_type: p.grant_type,
            client_id,
            client_secret,
            code: p.code,
            redirect_uri: p.redirect_uri,
            code_verifier: p.code_verifier,
            scope: p.scope.or(p.scopes),
            username: p.username,
            password: p.password,
        },
    )
    .await?;
    let mut res = Json(token_from_domain(&issued)).into_response();
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Deserialize)]
pub struct RevokeParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    token: String,
}

/// `POST /oauth/revoke`.
pub async fn revoke(
    State(app): State<App>,
    headers: HeaderMap,
    Params(p): Params<RevokeParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let (id, secret) =
        basic_credentials(&headers).unwrap_or((p.client_id.unwrap_or_default(), p.client_secret.unwrap_or_default()));
    oauth::revoke(&app, &id, &secret, &p.token).await?;
    Ok(Json(json!({})))
}
