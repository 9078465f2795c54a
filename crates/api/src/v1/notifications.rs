//! `/api/v1/notifications/*`.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::response::Response;
use canteen_app::App;
use canteen_app::notifications::{self, Filter};
use canteen_domain::Id;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Authed, ReadNotifications, WriteNotifications};
use crate::entities::status::{Notification, notification_from_domain};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{PageParams, paged};
use crate::params::{Params, lenient};

#[derive(Deserialize)]
pub struct ListParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    exclude_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
}

/// `GET /api/v1/notifications`.
pub async fn list(
    State(app): State<App>,
    auth: Authed<ReadNotifications>,
    OriginalUri(uri): OriginalUri,
    Params(p): Params<ListParams>,
) -> ApiResult<Response> {
    let (_, me) = auth.signed_in()?;
    let me = me.id;
    let filter = Filter {
        types: p.types.unwrap_or_default(),
        exclude_types: p.exclude_types.unwrap_or_default(),
        account_id: p.account_id.as_deref().and_then(Id::parse),
    };
    let list = notifications::list(&app, &auth, p.page.page(), &filter).await?;
    let items: Vec<Notification> =
        list.iter().map(|n| notification_from_domain(&app.config.public_url, n, me)).collect();
    Ok(paged(items, &app.config.public_url, &uri, list.first().map(|n| n.id), list.last().map(|n| n.id)))
}

fn parse(id: &str) -> ApiResult<i64> {
    id.parse().map_err(|_| ApiError(canteen_app::AppError::NotFound("Record not found".into())))
}

/// `GET /api/v1/notifications/:id`.
pub async fn show(
    State(app): State<App>,
    auth: Authed<ReadNotifications>,
    Path(id): Path<String>,
) -> ApiResult<Json<Notification>> {
    let n = notifications::get(&app, &auth, parse(&id)?).await?;
    let (_, me) = auth.signed_in()?;
    Ok(Json(notification_from_domain(&app.config.public_url, &n, me.id)))
}

/// `POST /api/v1/notifications/:id/dismiss`.
pub async fn dismiss(
    State(app): State<App>,
    auth: Authed<WriteNotifications>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    notifications::dismiss(&app, &auth, parse(&id)?).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/notifications/clear`.
pub async fn clear(State(app): State<App>, auth: Authed<WriteNotifications>) -> ApiResult<Json<Value>> {
    notifications::clear(&app, &auth).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v2/notifications/policy`: Canteen filters nothing by default, as Mastodon.
pub async fn policy(auth: Authed<ReadNotifications>) -> ApiResult<Json<Value>> {
    auth.signed_in()?;
    Ok(Json(json!({
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "accept",
        "for_limited_accounts": "filter",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0}
    })))
}
