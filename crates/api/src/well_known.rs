//! Documents other software reads to find out what this server is: NodeInfo 2.1 and the
//! OAuth authorization server metadata (RFC 8414).

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use canteen_app::{App, instance};
use canteen_domain::registration::RegistrationMode;
use serde_json::json;

use crate::error::ApiResult;

const NODEINFO_21: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/// `GET /.well-known/nodeinfo`.
pub async fn nodeinfo_links(State(app): State<App>) -> Json<serde_json::Value> {
    Json(json!({"links": [{"rel": NODEINFO_21, "href": format!("{}/nodeinfo/2.1", app.config.public_url)}]}))
}

/// `GET /nodeinfo/2.1`.
pub async fn nodeinfo(State(app): State<App>) -> ApiResult<Response> {
    let stats = instance::stats(&app).await?;
    let registration = canteen_app::registration::current(&app).await?;
    let body = json!({
        "version": "2.1",
        "software": {
            "name": "canteen",
            "version": env!("CARGO_PKG_VERSION"),
            "homepage": app.config.public_url,
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": registration.mode == RegistrationMode::Open,
        "usage": {
            "users": {"total": stats.user_count, "activeMonth": stats.user_count, "activeHalfyear": stats.user_count},
            "localPosts": stats.status_count
        },
        "metadata": {"nodeName": app.config.title, "nodeDescription": app.config.description}
    });
    let mut res = Json(body).into_response();
    res.headers_mut().insert(
        CONTENT_TYPE,
        axum::http::HeaderValue::from_static(
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
        ),
    );
    Ok(res)
}

/// `GET /.well-known/oauth-authorization-server`.
pub async fn oauth_metadata(State(app): State<App>) -> Json<serde_json::Value> {
    let base = &app.config.public_url;
    let mut grants = vec!["authorization_code", "client_credentials"];
    if app.config.password_grant {
        grants.push("password");
    }
    Json(json!({
        "issuer": format!("{base}/"),
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": canteen_domain::scope::ALL_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": grants,
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"]
    }))
}
