//! `/users/{username}…`: the actor document, its collections, and posts — JSON-LD for servers,
//! a placeholder page for browsers — and `/actor`, the instance actor. In authorised-fetch
//! mode, collections and posts need a signed request; actor documents stay open.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use canteen_app::App;
use canteen_app::federation::documents::{self, ActorDocument, PageQuery};
use canteen_app::federation::instance_actor;
use canteen_domain::Id;
use serde::Deserialize;
use serde_json::json;

use super::{activity_json, html_placeholder, wants_activitypub};
use crate::error::{ApiError, ApiResult};

/// `?page=…&max=…` of a collection.
#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    page: Option<String>,
    max: Option<String>,
}

impl PageParams {
    fn query(&self) -> ApiResult<PageQuery> {
        let max = match &self.max {
            None => None,
            Some(m) => Some(m.parse().map_err(|_| ApiError::bad_request("max must be an integer"))?),
        };
        Ok(PageQuery { page: self.page.as_deref().is_some_and(|p| p != "false"), max })
    }
}

/// `GET /users/{username}`.
pub async fn actor(State(app): State<App>, Path(username): Path<String>, headers: HeaderMap) -> ApiResult<Response> {
    match documents::actor(&app, &username).await? {
        ActorDocument::Suspended => {
            Ok((StatusCode::GONE, Json(json!({"error": "This account has been suspended"}))).into_response())
        }
        ActorDocument::Deleted(tombstone) => {
            let mut res = activity_json(&tombstone);
            *res.status_mut() = StatusCode::GONE;
            Ok(res)
        }
        ActorDocument::Live { document, .. } if wants_activitypub(&headers) => Ok(activity_json(&document)),
        ActorDocument::Live { account, .. } => {
            let handle = format!("@{}@{}", account.username, app.config.domain());
            let name = if account.display_name.is_empty() { handle.clone() } else { account.display_name.clone() };
            let body = format!("<p>{}</p>", crate::html::escape(&handle));
            Ok(html_placeholder(&name, &body, &account.uri))
        }
    }
}

/// In authorised-fetch mode, the request must be signed (see `instance_actor`).
async fn signed(app: &App, uri: &Uri, headers: &HeaderMap) -> ApiResult<()> {
    let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Ok(instance_actor::check_signed_get(app, target, headers).await?)
}

/// `GET /actor`: the instance actor, to anyone (servers check our GETs' signatures with it).
pub async fn instance(State(app): State<App>) -> ApiResult<Response> {
    Ok(activity_json(&instance_actor::document(&app).await?))
}

/// `GET /users/{username}/followers`.
pub async fn followers(
    State(app): State<App>,
    Path(username): Path<String>,
    Query(p): Query<PageParams>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    signed(&app, &uri, &headers).await?;
    Ok(activity_json(&documents::follow_collection(&app, &username, true, p.query()?).await?))
}

/// `GET /users/{username}/following`.
pub async fn following(
    State(app): State<App>,
    Path(username): Path<String>,
    Query(p): Query<PageParams>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    signed(&app, &uri, &headers).await?;
    Ok(activity_json(&documents::follow_collection(&app, &username, false, p.query()?).await?))
}

/// `GET /users/{username}/outbox`.
pub async fn outbox(
    State(app): State<App>,
    Path(username): Path<String>,
    Query(p): Query<PageParams>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    signed(&app, &uri, &headers).await?;
    Ok(activity_json(&documents::outbox(&app, &username, p.query()?).await?))
}

/// `GET /users/{username}/collections/featured`.
pub async fn featured(
    State(app): State<App>,
    Path(username): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    signed(&app, &uri, &headers).await?;
    Ok(activity_json(&documents::featured(&app, &username).await?))
}

/// `GET /users/{username}/statuses/{id}`: the `Note`, only for public and unlisted posts.
pub async fn status(
    State(app): State<App>,
    Path((username, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if wants_activitypub(&headers) {
        signed(&app, &uri, &headers).await?;
    }
    let id: i64 = id.parse().map_err(|_| ApiError(canteen_app::AppError::NotFound("Record not found".into())))?;
    let (note, status) = match documents::note(&app, &username, Id(id)).await {
        Ok(found) => found,
        // A deleted post is gone, not unknown: other servers drop their copies on a 410.
        Err(canteen_app::AppError::NotFound(m)) => {
            let uri = format!("{}{}", app.config.public_url, uri.path());
            return match documents::tombstone(&app, &uri).await? {
                Some(t) if wants_activitypub(&headers) => {
                    let mut res = activity_json(&t);
                    *res.status_mut() = StatusCode::GONE;
                    Ok(res)
                }
                _ => Err(ApiError(canteen_app::AppError::NotFound(m))),
            };
        }
        Err(e) => return Err(e.into()),
    };
    if wants_activitypub(&headers) {
        return Ok(activity_json(&note));
    }
    // Already escaped HTML made by `canteen_app::content`, and only for posts anyone may see.
    Ok(html_placeholder(&format!("Post by @{username}"), &status.content_html, &status.uri))
}
