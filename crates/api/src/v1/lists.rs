//! `/api/v1/lists/*` and `/api/v1/timelines/list/:id`.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::Response;
use canteen_app::{App, lists, timelines};
use canteen_domain::Id;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Authed, ReadLists, WriteLists};
use crate::entities::account::{Account, account_from_domain};
use crate::error::ApiResult;
use crate::pagination::PageParams;
use crate::params::{Params, lenient};
use crate::v1::accounts::parse_id;

/// Mastodon's `List`.
#[derive(serde::Serialize)]
pub struct ListJson {
    pub id: String,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
}

fn list_json(l: &canteen_app::lists::ListRecord) -> ListJson {
    ListJson {
        id: l.id.to_string(),
        title: l.title.clone(),
        replies_policy: l.replies_policy.clone(),
        exclusive: l.exclusive,
    }
}

pub async fn index(State(app): State<App>, auth: Authed<ReadLists>) -> ApiResult<Json<Vec<ListJson>>> {
    Ok(Json(lists::list(&app, &auth).await?.iter().map(list_json).collect()))
}

pub async fn show(
    State(app): State<App>,
    auth: Authed<ReadLists>,
    Path(id): Path<String>,
) -> ApiResult<Json<ListJson>> {
    Ok(Json(list_json(&lists::own(&app, &auth, parse_id(&id)?).await?)))
}

#[derive(Deserialize)]
pub struct ListParams {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclusive: Option<bool>,
}

pub async fn create(
    State(app): State<App>,
    auth: Authed<WriteLists>,
    Params(p): Params<ListParams>,
) -> ApiResult<Json<ListJson>> {
    let l = lists::create(
        &app,
        &auth,
        p.title.as_deref().unwrap_or(""),
        p.replies_policy.as_deref(),
        p.exclusive.unwrap_or(false),
    )
    .await?;
    Ok(Json(list_json(&l)))
}

pub async fn update(
    State(app): State<App>,
    auth: Authed<WriteLists>,
    Path(id): Path<String>,
    Params(p): Params<ListParams>,
) -> ApiResult<Json<ListJson>> {
    let l = lists::update(&app, &auth, parse_id(&id)?, p.title.as_deref(), p.replies_policy.as_deref(), p.exclusive)
        .await?;
    Ok(Json(list_json(&l)))
}

pub async fn delete(
    State(app): State<App>,
    auth: Authed<WriteLists>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    lists::delete(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn accounts(
    State(app): State<App>,
    auth: Authed<ReadLists>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Account>>> {
    let list = lists::members(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(
        list.iter()
            .map(|a| account_from_domain(&app.config.public_url, a, canteen_domain::audience::Viewer::Stranger))
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct Members {
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    account_ids: Option<Vec<String>>,
}

fn member_ids(p: Members) -> ApiResult<Vec<Id>> {
    p.account_ids.unwrap_or_default().iter().map(|s| parse_id(s)).collect()
}

pub async fn add_accounts(
    State(app): State<App>,
    auth: Authed<WriteLists>,
    Path(id): Path<String>,
    Params(p): Params<Members>,
) -> ApiResult<Json<Value>> {
    lists::add(&app, &auth, parse_id(&id)?, &member_ids(p)?).await?;
    Ok(Json(json!({})))
}

pub async fn remove_accounts(
    State(app): State<App>,
    auth: Authed<WriteLists>,
    Path(id): Path<String>,
    Params(p): Params<Members>,
) -> ApiResult<Json<Value>> {
    lists::remove(&app, &auth, parse_id(&id)?, &member_ids(p)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/timelines/list/:id`.
pub async fn timeline(
    State(app): State<App>,
    auth: Authed<ReadLists>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    let views = timelines::list(&app, &auth, parse_id(&id)?, p.page()).await?;
    Ok(crate::v1::timelines::page_of(&app, &uri, &views, auth.account.as_ref().map(|a| a.id)))
}
