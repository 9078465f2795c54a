//! `GET /api/v2/search` and `GET /api/v1/accounts/search`.

use axum::Json;
use axum::extract::{Query, State};
use canteen_app::App;
use canteen_app::search::{self, Kind, Options, TagHit};
use canteen_domain::Id;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{MaybeAuthed, ReadAccounts, ReadSearch};
use crate::entities::status::status_from_domain;
use crate::error::{ApiError, ApiResult};
use crate::params::lenient;
use crate::v1::accounts::profile;

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    q: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    resolve: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    following: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    /// Hashtags here need no review, so this changes nothing (accepted for compatibility).
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclude_unreviewed: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    min_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
    /// Canteen: `relevance` (the default) or `newest`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    sort: Option<String>,
}

fn number(name: &str, value: &Option<String>) -> ApiResult<Option<i64>> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("{name} must be a whole number, got `{v}`"))),
    }
}

fn query_text(q: &Option<String>) -> ApiResult<String> {
    q.clone()
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("Param is missing or the value is empty: q"))
}

/// Mastodon's `Tag` with its last seven days of use.
pub fn tag_json(app: &App, t: &TagHit) -> Value {
    json!({
        "name": t.name,
        "url": format!("{}/tags/{}", app.config.public_url, t.name),
        "history": t.history.iter().map(|(day, uses, accounts)| json!({
            "day": day.to_string(), "uses": uses.to_string(), "accounts": accounts.to_string()
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v2/search`.
pub async fn search(
    State(app): State<App>,
    auth: MaybeAuthed<ReadSearch>,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<Value>> {
    let q = query_text(&p.q)?;
    let kind = match p.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some("accounts") => Some(Kind::Accounts),
        Some("statuses") => Some(Kind::Statuses),
        Some("hashtags") => Some(Kind::Hashtags),
        Some(other) => {
            return Err(ApiError::bad_request(format!("type must be accounts, statuses or hashtags, got `{other}`")));
        }
    };
    let order = match p.sort.as_deref() {
        None | Some("") | Some("relevance") => canteen_search::SortOrder::Relevance,
        Some("newest") => canteen_search::SortOrder::Newest,
        Some(other) => {
            return Err(ApiError::bad_request(format!("sort must be relevance or newest, got `{other}`")));
        }
    };
    let id = |v: &Option<String>| v.as_deref().and_then(Id::parse);
    let opts = Options {
        kind,
        following: p.following.unwrap_or(false),
        account_id: id(&p.account_id),
        max_id: id(&p.max_id),
        min_id: id(&p.min_id),
        limit: number("limit", &p.limit)?,
        offset: number("offset", &p.offset)?,
        order,
        resolve: p.resolve.unwrap_or(false),
    };
    if p.account_id.as_deref().is_some_and(|a| !a.is_empty()) && opts.account_id.is_none() {
        return Err(ApiError(canteen_app::AppError::NotFound("Record not found".into())));
    }
    let _ = p.exclude_unreviewed;
    let auth = auth.0.as_ref();
    let found = search::search(&app, auth, &q, &opts).await?;
    let me = auth.and_then(|a| a.account.as_ref()).map(|a| a.id);
    let mut accounts = Vec::with_capacity(found.accounts.len());
    for (a, viewer) in &found.accounts {
        accounts.push(profile(&app, auth, a, *viewer).await?);
    }
    let statuses: Vec<_> = found.statuses.iter().map(|v| status_from_domain(&app.config.public_url, v, me)).collect();
    let hashtags: Vec<Value> = found.hashtags.iter().map(|t| tag_json(&app, t)).collect();
    Ok(Json(json!({"accounts": accounts, "statuses": statuses, "hashtags": hashtags})))
}

#[derive(Deserialize, Default)]
pub struct AccountSearchParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    q: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    following: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    resolve: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
}

/// `GET /api/v1/accounts/search`.
pub async fn accounts(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Query(p): Query<AccountSearchParams>,
) -> ApiResult<Json<Vec<crate::entities::account::Account>>> {
    let q = query_text(&p.q)?;
    let auth = auth.0.as_ref();
    let found = search::accounts_resolving(
        &app,
        auth,
        &q,
        p.following.unwrap_or(false),
        p.resolve.unwrap_or(false),
        number("limit", &p.limit)?,
        number("offset", &p.offset)?,
    )
    .await?;
    let mut out = Vec::with_capacity(found.len());
    for (a, viewer) in &found {
        out.push(profile(&app, auth, a, *viewer).await?);
    }
    Ok(Json(out))
}
