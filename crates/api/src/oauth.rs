//! `/oauth/*`: the token endpoint, revocation, and the sign-in and consent page.

use axum::extract::{Query, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use canteen_app::oauth::{self, AuthorizeParams, AuthorizeRequest, OOB, TokenRequest};
use canteen_app::{App, AppError};
use serde::Deserialize;
use serde_json::json;

use crate::entities::oauth::token_from_domain;
use crate::error::{ApiError, ApiResult};
use crate::html::escape;
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

#[derive(Deserialize, Default, Clone)]
pub struct AuthorizeQuery {
    #[serde(default)]
    client_id: String,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

impl AuthorizeQuery {
    fn params(&self) -> AuthorizeParams {
        AuthorizeParams {
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            response_type: self.response_type.clone(),
            scope: self.scope.clone(),
            state: self.state.clone(),
            code_challenge: self.code_challenge.clone(),
            code_challenge_method: self.code_challenge_method.clone(),
        }
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} – Canteen</title></head><body><main>\
         <h1>{t}</h1>{body}</main></body></html>",
        t = escape(title)
    );
    let mut res = (status, Html(html)).into_response();
    // A sign-in page must not be framed by another site (click-jacking).
    res.headers_mut().insert("x-frame-options", HeaderValue::from_static("DENY"));
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn error_page(e: &AppError) -> Response {
    let (status, message) = match e {
        AppError::OAuth { status, description, .. } => {
            (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST), description.clone())
        }
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.".into()),
        other => (ApiError(AppError::BadRequest(String::new())).status(), other.to_string()),
    };
    page(status, "This sign-in link does not work", &format!("<p>{}</p>", escape(&message)))
}

fn consent_form(req: &AuthorizeRequest, q: &AuthorizeQuery, login: &str, error: Option<&str>) -> String {
    let hidden = |name: &str, value: &Option<String>| match value {
        Some(v) => format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(v)),
        None => String::new(),
    };
    let scopes: String = req.scopes.iter().map(|s| format!("<li><code>{}</code></li>", escape(s))).collect();
    format!(
        "<p><strong>{app}</strong> would like to use your Canteen account with these permissions:</p>\
         <ul>{scopes}</ul>{err}\
         <form method=\"post\" action=\"/oauth/authorize\">\
         <input type=\"hidden\" name=\"client_id\" value=\"{cid}\">{ru}{rt}{sc}{st}{cc}{ccm}\
         <p><label for=\"login\">Email or username</label><br>\
         <input id=\"login\" name=\"login\" autocomplete=\"username\" required value=\"{login}\"></p>\
         <p><label for=\"password\">Password</label><br>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button name=\"decision\" value=\"approve\">Sign in and authorise</button> \
         <button name=\"decision\" value=\"deny\" formnovalidate>Deny</button></p></form>",
        app = escape(&req.client.name),
        err = error.map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(e))).unwrap_or_default(),
        cid = escape(&q.client_id),
        ru = hidden("redirect_uri", &Some(req.redirect_uri.clone())),
        rt = hidden("response_type", &q.response_type),
        sc = hidden("scope", &Some(req.scopes.to_string())),
        st = hidden("state", &q.state),
        cc = hidden("code_challenge", &q.code_challenge),
        ccm = hidden("code_challenge_method", &q.code_challenge_method),
        login = escape(login),
    )
}

/// `GET /oauth/authorize`: the sign-in and consent page.
pub async fn authorize_page(State(app): State<App>, Query(q): Query<AuthorizeQuery>) -> Response {
    match oauth::check_authorize(&app, q.params()).await {
        Ok(req) => page(StatusCode::OK, "Authorise an app", &consent_form(&req, &q, "", None)),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize)]
pub struct AuthorizeForm {
    #[serde(flatten)]
    query: AuthorizeQuery,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    decision: String,
}

fn redirect_with(req: &AuthorizeRequest, pairs: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(&req.redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return error_page(&AppError::BadRequest("The redirect URI is not valid.".into()));
        }
    };
    {
        let mut qp = url.query_pairs_mut();
        for (k, v) in pairs {
            qp.append_pair(k, v);
        }
        if let Some(state) = &req.state {
            qp.append_pair("state", state);
        }
    }
    let mut res = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// `POST /oauth/authorize`: checks the credentials, then redirects back with a code (or,
/// for out-of-band apps, shows the code to copy).
pub async fn authorize_submit(State(app): State<App>, Form(f): Form<AuthorizeForm>) -> Response {
    let req = match oauth::check_authorize(&app, f.query.params()).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    if f.decision != "approve" {
        if req.redirect_uri == OOB {
            return page(StatusCode::OK, "Authorisation denied", "<p>You did not authorise the app.</p>");
        }
        return redirect_with(
            &req,
            &[("error", "access_denied"), ("error_description", "The person denied the request.")],
        );
    }
    let (user, account) = match oauth::sign_in(&app, &f.login, &f.password).await {
        Ok(found) => found,
        Err(e) => {
            let msg = match &e {
                AppError::OAuth { description, .. } => description.clone(),
                other => other.to_string(),
            };
            return page(
                StatusCode::UNAUTHORIZED,
                "Authorise an app",
                &consent_form(&req, &f.query, &f.login, Some(&msg)),
            );
        }
    };
    match oauth::issue_code(&app, &req, &user, &account).await {
        Ok(code) if req.redirect_uri == OOB => page(
            StatusCode::OK,
            "Authorisation code",
            &format!(
                "<p>Copy this code and paste it into the app:</p><p><code id=\"code\">{}</code></p>",
                escape(&code)
            ),
        ),
        Ok(code) => redirect_with(&req, &[("code", &code)]),
        Err(e) => error_page(&e),
    }
}
