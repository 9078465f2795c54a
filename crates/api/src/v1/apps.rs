//! `/api/v1/apps`.

use axum::Json;
use axum::extract::State;
use canteen_app::{App, oauth};
use serde::Deserialize;

use crate::auth::{AnyScope, Authed};
use crate::entities::oauth::{Application, application_from_domain};
use crate::error::ApiResult;
use crate::params::{Params, lenient};

#[derive(Deserialize)]
pub struct CreateApp {
    client_name: String,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    redirect_uris: Option<Vec<String>>,
    #[serde(default)]
    scopes: Option<String>,
    #[serde(default)]
    website: Option<String>,
}

/// `POST /api/v1/apps`.
pub async fn create(State(app): State<App>, Params(p): Params<CreateApp>) -> ApiResult<Json<Application>> {
    let uris = p.redirect_uris.unwrap_or_default().join("\n");
    let created =
        oauth::create_app(&app, &p.client_name, &uris, p.scopes.as_deref().unwrap_or("read"), p.website.as_deref())
            .await?;
    Ok(Json(application_from_domain(&created, true)))
}

/// `GET /api/v1/apps/verify_credentials`.
pub async fn verify_credentials(State(app): State<App>, auth: Authed<AnyScope>) -> ApiResult<Json<Application>> {
    let client = oauth::app_of_token(&app, auth.app_id).await?;
    Ok(Json(application_from_domain(&client, false)))
}
