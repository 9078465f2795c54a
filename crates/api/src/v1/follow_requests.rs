//! `/api/v1/follow_requests/*`, `/api/v1/blocks`, `/api/v1/mutes`.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::Response;
use canteen_app::{App, follows};
use canteen_domain::audience::Viewer as FieldViewer;

use crate::auth::{Authed, ReadBlocks, ReadFollows, ReadMutes, WriteFollows};
use crate::entities::account::{Account, account_from_domain};
use crate::error::ApiResult;
use crate::pagination::{PageParams, paged};
use crate::v1::accounts::{RelationshipJson, parse_id, relationship_json};

/// `GET /api/v1/follow_requests`.
pub async fn list(
    State(app): State<App>,
    auth: Authed<ReadFollows>,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    let page = p.accounts_page();
    let rows = follows::requests(&app, &auth, page.max_id, page.limit).await?;
    let items: Vec<Account> =
        rows.iter().map(|(_, a)| account_from_domain(&app.config.public_url, a, FieldViewer::Stranger)).collect();
    Ok(paged(items, &app.config.public_url, &uri, rows.first().map(|r| r.0), rows.last().map(|r| r.0)))
}

/// `POST /api/v1/follow_requests/:id/authorize`.
pub async fn authorize(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<RelationshipJson>> {
    Ok(Json(relationship_json(follows::settle_request(&app, &auth, parse_id(&id)?, true).await?)))
}

/// `POST /api/v1/follow_requests/:id/reject`.
pub async fn reject(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<RelationshipJson>> {
    Ok(Json(relationship_json(follows::settle_request(&app, &auth, parse_id(&id)?, false).await?)))
}

/// `GET /api/v1/blocks`.
pub async fn blocks(State(app): State<App>, auth: Authed<ReadBlocks>) -> ApiResult<Json<Vec<Account>>> {
    let list = follows::blocked(&app, &auth).await?;
    Ok(Json(list.iter().map(|a| account_from_domain(&app.config.public_url, a, FieldViewer::Stranger)).collect()))
}

/// `GET /api/v1/mutes`.
pub async fn mutes(State(app): State<App>, auth: Authed<ReadMutes>) -> ApiResult<Json<Vec<Account>>> {
    let list = follows::muted(&app, &auth).await?;
    Ok(Json(list.iter().map(|a| account_from_domain(&app.config.public_url, a, FieldViewer::Stranger)).collect()))
}
