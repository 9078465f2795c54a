//! `/api/v1/tags/*`, `/api/v1/followed_tags`, `/api/v1/suggestions`, `/api/v2/suggestions`.

use axum::Json;
use axum::extract::{Path, State};
use canteen_app::{App, extras};
use canteen_domain::audience::Viewer as FieldViewer;
use serde_json::{Value, json};

use crate::auth::{Authed, MaybeAuthed, ReadAccounts, ReadFollows, WriteAccounts, WriteFollows};
use crate::entities::account::account_from_domain;
use crate::error::ApiResult;

fn tag_json(app: &App, name: &str, following: bool) -> Value {
    json!({"name": name, "url": format!("{}/tags/{name}", app.config.public_url), "history": [], "following": following})
}

/// `GET /api/v1/tags/:name`.
pub async fn show(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (t, following) = extras::tag(&app, auth.0.as_ref(), &name).await?;
    Ok(Json(tag_json(&app, &t, following)))
}

pub async fn follow(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (t, f) = extras::follow_tag(&app, &auth, &name, true).await?;
    Ok(Json(tag_json(&app, &t, f)))
}

pub async fn unfollow(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (t, f) = extras::follow_tag(&app, &auth, &name, false).await?;
    Ok(Json(tag_json(&app, &t, f)))
}

/// `GET /api/v1/followed_tags`.
pub async fn followed(State(app): State<App>, auth: Authed<ReadFollows>) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(extras::followed_tags(&app, &auth).await?.iter().map(|t| tag_json(&app, t, true)).collect()))
}

/// `GET /api/v2/suggestions`.
pub async fn suggestions_v2(State(app): State<App>, auth: Authed<ReadAccounts>) -> ApiResult<Json<Vec<Value>>> {
    let list = extras::suggestions(&app, &auth, 40).await?;
    Ok(Json(
        list.iter()
            .map(|(a, source)| {
                json!({"source": source, "sources": [source], "account": account_from_domain(&app.config.public_url, a, FieldViewer::Stranger)})
            })
            .collect(),
    ))
}

/// `GET /api/v1/suggestions`.
pub async fn suggestions_v1(State(app): State<App>, auth: Authed<ReadAccounts>) -> ApiResult<Json<Vec<Value>>> {
    let list = extras::suggestions(&app, &auth, 40).await?;
    Ok(Json(
        list.iter()
            .map(|(a, _)| {
                serde_json::to_value(account_from_domain(&app.config.public_url, a, FieldViewer::Stranger))
                    .unwrap_or_default()
            })
            .collect(),
    ))
}

fn featured_json(app: &App, f: &extras::FeaturedTag) -> Value {
    json!({
        "id": f.id.to_string(),
        "name": f.name,
        "url": format!("{}/tags/{}", app.config.public_url, f.name),
        "statuses_count": f.statuses_count.to_string(),
        "last_status_at": f.last_status_at.map(crate::entities::iso8601),
    })
}

/// `GET /api/v1/featured_tags`.
pub async fn featured(State(app): State<App>, auth: Authed<ReadAccounts>) -> ApiResult<Json<Vec<Value>>> {
    let (_, me) = auth.signed_in()?;
    Ok(Json(extras::featured_tags(&app, me.id).await?.iter().map(|f| featured_json(&app, f)).collect()))
}

#[derive(serde::Deserialize)]
pub struct FeatureParams {
    #[serde(default)]
    name: Option<String>,
}

/// `POST /api/v1/featured_tags`.
pub async fn feature(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    crate::params::Params(p): crate::params::Params<FeatureParams>,
) -> ApiResult<Json<Value>> {
    let f = extras::feature_tag(&app, &auth, p.name.as_deref().unwrap_or("")).await?;
    Ok(Json(featured_json(&app, &f)))
}

/// `DELETE /api/v1/featured_tags/:id`.
pub async fn unfeature(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = id
        .parse::<i64>()
        .map_err(|_| crate::error::ApiError(canteen_app::AppError::NotFound("Record not found".into())))?;
    extras::unfeature_tag(&app, &auth, id).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/accounts/:id/featured_tags`.
pub async fn account_featured(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Json<Vec<Value>>> {
    let id = crate::v1::accounts::parse_id(&id)?;
    Ok(Json(extras::featured_tags(&app, id).await?.iter().map(|f| featured_json(&app, f)).collect()))
}
