//! `/api/v1/admin/domain_blocks`, `/api/v1/admin/domain_allows` and the public
//! `/api/v1/instance/domain_blocks`, in Mastodon's shapes.

use axum::Json;
use axum::extract::{Path, State};
use canteen_app::App;
use canteen_app::federation::domains::{self, BlockRequest, DomainAllow, DomainBlock};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::{AdminRead, AdminWrite, Authed};
use crate::entities::iso8601;
use crate::error::ApiResult;
use crate::params::{Params, lenient};
use crate::v1::accounts::parse_id;

fn digest(domain: &str) -> String {
    Sha256::digest(domain.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn block_json(b: &DomainBlock) -> Value {
    json!({
        "id": b.id.to_string(), "domain": b.domain, "digest": digest(&b.domain),
        "created_at": iso8601(b.created_at), "severity": b.severity, "reject_media": b.reject_media,
        "reject_reports": false, "private_comment": b.private_comment, "public_comment": b.public_comment,
        "obfuscate": false,
    })
}

fn allow_json(a: &DomainAllow) -> Value {
    json!({"id": a.id.to_string(), "domain": a.domain, "created_at": iso8601(a.created_at)})
}

#[derive(Deserialize, Default)]
pub struct BlockParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    severity: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    reject_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    private_comment: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    public_comment: Option<String>,
}

impl BlockParams {
    fn request(self) -> BlockRequest {
        BlockRequest {
            domain: self.domain.unwrap_or_default(),
            severity: self.severity,
            reject_media: self.reject_media,
            private_comment: self.private_comment,
            public_comment: self.public_comment,
        }
    }
}

pub async fn blocks(State(app): State<App>, auth: Authed<AdminRead>) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(domains::blocks(&app, &auth).await?.iter().map(block_json).collect()))
}

pub async fn block(State(app): State<App>, auth: Authed<AdminRead>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(block_json(&domains::block(&app, &auth, parse_id(&id)?).await?)))
}

pub async fn create_block(
    State(app): State<App>,
    auth: Authed<AdminWrite>,
    Params(p): Params<BlockParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(block_json(&domains::create_block(&app, &auth, p.request()).await?)))
}

pub async fn update_block(
    State(app): State<App>,
    auth: Authed<AdminWrite>,
    Path(id): Path<String>,
    Params(p): Params<BlockParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(block_json(&domains::update_block(&app, &auth, parse_id(&id)?, p.request()).await?)))
}

pub async fn delete_block(
    State(app): State<App>,
    auth: Authed<AdminWrite>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    domains::delete_block(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn allows(State(app): State<App>, auth: Authed<AdminRead>) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(domains::allows(&app, &auth).await?.iter().map(allow_json).collect()))
}

pub async fn create_allow(
    State(app): State<App>,
    auth: Authed<AdminWrite>,
    Params(p): Params<BlockParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(allow_json(&domains::create_allow(&app, &auth, p.domain.as_deref().unwrap_or("")).await?)))
}

pub async fn delete_allow(
    State(app): State<App>,
    auth: Authed<AdminWrite>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    domains::delete_allow(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/instance/domain_blocks`: which servers are moderated here, and why, as
/// Mastodon publishes it (private comments stay private).
pub async fn public_blocks(State(app): State<App>) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(
        domains::public_blocks(&app)
            .await?
            .iter()
            .map(|b| json!({"domain": b.domain, "digest": digest(&b.domain), "severity": b.severity, "comment": b.public_comment}))
            .collect(),
    ))
}
