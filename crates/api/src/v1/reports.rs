//! `POST /api/v1/reports`: report an account (and some of its posts) to the moderators,
//! optionally forwarded to its own server.

use axum::Json;
use axum::extract::State;
use canteen_app::reports::{self, NewReport, ReportView};
use canteen_app::{App, AppError};
use canteen_domain::validation::Invalid;
use serde::{Deserialize, Serialize};

use crate::auth::{Authed, WriteReports};
use crate::entities::account::{Account, account_from_domain};
use crate::entities::iso8601;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, lenient};
use crate::v1::accounts::parse_id;

#[derive(Deserialize)]
pub struct ReportParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    status_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    comment: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    forward: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    category: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    rule_ids: Option<Vec<String>>,
}

/// Mastodon's `Report`.
#[derive(Serialize)]
pub struct ReportJson {
    id: String,
    action_taken: bool,
    action_taken_at: Option<String>,
    category: String,
    comment: String,
    forwarded: bool,
    created_at: String,
    status_ids: Option<Vec<String>>,
    rule_ids: Option<Vec<String>>,
    target_account: Account,
}

fn report_json(public_url: &str, r: &ReportView) -> ReportJson {
    let rec = &r.record;
    ReportJson {
        id: rec.id.to_string(),
        action_taken: rec.action_taken_at.is_some(),
        action_taken_at: rec.action_taken_at.map(iso8601),
        category: rec.category.clone(),
        comment: rec.comment.clone(),
        forwarded: rec.forwarded,
        created_at: iso8601(rec.created_at),
        status_ids: (!r.status_ids.is_empty()).then(|| r.status_ids.iter().map(|i| i.0.to_string()).collect()),
        rule_ids: (!r.rule_ids.is_empty()).then(|| r.rule_ids.iter().map(|i| i.to_string()).collect()),
        target_account: account_from_domain(public_url, &r.target, canteen_domain::audience::Viewer::Stranger),
    }
}

pub async fn create(
    State(app): State<App>,
    auth: Authed<WriteReports>,
    Params(p): Params<ReportParams>,
) -> ApiResult<Json<ReportJson>> {
    let invalid =
        |field: &'static str, message: &str| ApiError(AppError::invalid(Invalid::new(field, "ERR_INVALID", message)));
    let Some(account_id) = p.account_id.as_deref() else {
        return Err(invalid("account_id", "Account can't be blank"));
    };
    let rule_ids = p
        .rule_ids
        .unwrap_or_default()
        .iter()
        .map(|r| r.parse::<i64>().map_err(|_| invalid("rule_ids", "Rule ids must be this server's rules")))
        .collect::<ApiResult<Vec<i64>>>()?;
    let new = NewReport {
        account_id: parse_id(account_id)?,
        status_ids: p.status_ids.unwrap_or_default().iter().map(|s| parse_id(s)).collect::<ApiResult<_>>()?,
        comment: p.comment.unwrap_or_default(),
        category: p.category,
        rule_ids,
        forward: p.forward.unwrap_or(false),
    };
    let view = reports::create(&app, &auth, new).await?;
    Ok(Json(report_json(&app.config.public_url, &view)))
}
