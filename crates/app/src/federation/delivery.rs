//! Delivery: one durable job per (activity, target inbox), enqueued in the transaction that
//! makes the activity, so a crash loses nothing. Each attempt signs afresh (the `Date` must be
//! recent) with the author's key — RFC 9421 first, draft-cavage if the server refuses that
//! with 400/401/403 — and remembers per server which dialect worked. Failures are retried with
//! the job table's back-off; servers failing for a week are marked dead and skipped.

use std::time::SystemTime;

use canteen_domain::Id;
use canteen_federation::signatures::{self, Dialect, RequestParts};
use canteen_federation::vocab::ACTIVITY_JSON;
use canteen_store::federation::{self as fstore, ServerState};
use canteen_store::{Exec, accounts};
use http::{HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};
use url::Url;

use super::fetch::{FetchError, Fetcher};
use super::{authority_of, key_id};
use crate::clock::now_ms;
use crate::{App, AppError, Result};

pub const DELIVER_JOB: &str = "federation.deliver";

/// After this many failed deliveries in a row, spread over at least [`DEAD_AFTER_MS`], a
/// server is marked dead and deliveries to it are dropped.
pub const DEAD_AFTER_FAILURES: i64 = 16;
pub const DEAD_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

const RFC9421: &str = "rfc9421";
const CAVAGE: &str = "cavage";

#[derive(Debug, Serialize, Deserialize)]
struct Delivery {
    /// The local account whose key signs (0 with `as_instance`).
    account_id: i64,
    inbox: String,
    /// The activity, serialised once when it was made, so every retry sends the same bytes.
    activity: String,
    /// Signed by the server's instance actor, not an account (a forwarded report, which must
    /// not name the person who made it).
    #[serde(default)]
    as_instance: bool,
}

/// Queues `activity` (JSON) for `inbox`, signed by `account_id`; pass the transaction's
/// `Exec` so the delivery commits with the change that caused it.
pub async fn enqueue(app: &App, e: Exec<'_>, account_id: Id, inbox: &str, activity: &str) -> Result<()> {
    let d = Delivery { account_id: account_id.0, inbox: inbox.into(), activity: activity.into(), as_instance: false };
    queue(app, e, &d).await
}

/// Queues `activity` for `inbox`, signed by the instance actor.
pub async fn enqueue_as_instance(app: &App, e: Exec<'_>, inbox: &str, activity: &str) -> Result<()> {
    let d = Delivery { account_id: 0, inbox: inbox.into(), activity: activity.into(), as_instance: true };
    queue(app, e, &d).await
}

async fn queue(app: &App, e: Exec<'_>, d: &Delivery) -> Result<()> {
    let payload = serde_json::to_string(d).map_err(|err| AppError::Internal(format!("delivery payload: {err}")))?;
    crate::jobs::enqueue(app, e, DELIVER_JOB, &payload, 0).await?;
    Ok(())
}

/// The job: deliver once. `Err` means "try again later".
pub async fn deliver(app: &App, payload: &str) -> std::result::Result<(), String> {
    let d: Delivery = serde_json::from_str(payload).map_err(|e| format!("bad delivery payload: {e}"))?;
    let (key, key_id) = if d.as_instance {
        super::instance_actor::signer(app).await.map_err(|e| e.to_string())?
    } else {
        let Some(account) = accounts::by_id(app.store.reader(), Id(d.account_id)).await.map_err(|e| e.to_string())?
        else {
            tracing::info!(account = d.account_id, "delivery dropped: the account is gone");
            return Ok(());
        };
        (super::keys::signing_key(app, &account).await.map_err(|e| e.to_string())?, key_id(&account.uri))
    };
    let url = Url::parse(&d.inbox).map_err(|_| format!("inbox {} is not a URL", d.inbox))?;
    let domain = authority_of(&url).ok_or_else(|| format!("inbox {} has no host", d.inbox))?;
    if let Some(why) = super::domains::permit(app, &domain).await.map_err(|e| e.to_string())?.refused() {
        tracing::info!(%domain, inbox = %d.inbox, reason = why, "delivery dropped");
        return Ok(());
    }
    let state = fstore::server(app.store.reader(), &domain).await.map_err(|e| e.to_string())?;
    let mut state = state.unwrap_or_else(|| ServerState {
        domain: domain.clone(),
        signature_dialect: None,
        failures: 0,
        failing_since: None,
        dead_since: None,
        last_success_at: None,
    });
    if state.dead_since.is_some() {
        tracing::info!(%domain, inbox = %d.inbox, "delivery dropped: the server is marked dead");
        return Ok(());
    }
    let order = match state.signature_dialect.as_deref() {
        Some(CAVAGE) => [Dialect::Cavage, Dialect::Rfc9421],
        _ => [Dialect::Rfc9421, Dialect::Cavage],
    };
    let fetcher = Fetcher::new(&app.config);
    let body = d.activity.into_bytes();
    let mut last_refusal = String::new();
    for (attempt, dialect) in order.into_iter().enumerate() {
        let headers = sign(&url, &body, &key, &key_id, dialect).map_err(|e| e.to_string())?;
        let outcome = fetcher.post(&url, &headers, body.clone()).await;
        let res = match outcome {
            Ok(res) => res,
            Err(e @ FetchError::Forbidden { .. }) | Err(e @ FetchError::BadUrl(_)) => {
                // Retrying cannot help: the policy will refuse it every time.
                tracing::warn!(error = %e, "delivery dropped");
                return Ok(());
            }
            Err(e) => return Err(failed(app, &mut state, e.to_string()).await),
        };
        match res.status {
            200..=299 => {
                state.signature_dialect = Some(if dialect == Dialect::Cavage { CAVAGE } else { RFC9421 }.into());
                state.failures = 0;
                state.failing_since = None;
                state.last_success_at = Some(now_ms());
                fstore::put_server(app.store.writer(), &state, now_ms()).await.map_err(|e| e.to_string())?;
                tracing::debug!(inbox = %url, ?dialect, "delivered");
                return Ok(());
            }
            // "Double knocking": a refusal may be of the dialect, so knock again in the other.
            400 | 401 | 403 if attempt == 0 => {
                last_refusal = format!("HTTP {} to {dialect:?}: {}", res.status, res.snippet());
                continue;
            }
            400 | 401 | 403 => {
                let why = format!("{url} refused both signature dialects ({last_refusal}; then HTTP {})", res.status);
                return Err(failed(app, &mut state, why).await);
            }
            // Gone, not found, unprocessable…: the server has answered; retrying changes nothing.
            status @ 404..=499 if status != 408 && status != 429 => {
                tracing::warn!(inbox = %url, status, body = %res.snippet(), "delivery refused; not retried");
                return Ok(());
            }
            status => return Err(failed(app, &mut state, format!("{url}: HTTP {status}")).await),
        }
    }
    Err(failed(app, &mut state, last_refusal).await)
}

/// Records a failed attempt (marking the server dead after a long run of them) and returns
/// the message for the job's log.
async fn failed(app: &App, state: &mut ServerState, why: String) -> String {
    let now = now_ms();
    state.failures += 1;
    let since = *state.failing_since.get_or_insert(now);
    if state.failures >= DEAD_AFTER_FAILURES && now - since >= DEAD_AFTER_MS {
        state.dead_since = Some(now);
        tracing::warn!(domain = %state.domain, failures = state.failures, "server marked dead");
    }
    if let Err(e) = fstore::put_server(app.store.writer(), state, now).await {
        tracing::warn!(error = %e, "could not record the delivery failure");
    }
    why
}

/// The headers of a signed POST of `body` to `url`.
fn sign(
    url: &Url,
    body: &[u8],
    key: &canteen_federation::keys::PrivateKey,
    key_id: &str,
    dialect: Dialect,
) -> std::result::Result<HeaderMap, signatures::SignError> {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON));
    headers.insert(http::header::ACCEPT, HeaderValue::from_static(ACTIVITY_JSON));
    let uri: http::Uri =
        url.as_str().parse().map_err(|_| signatures::SignError::BadHeaderValue(format!("target {url}")))?;
    let mut req = RequestParts::new(Method::POST, uri, headers);
    let now = SystemTime::now();
    match dialect {
        Dialect::Rfc9421 => signatures::sign_rfc9421(&mut req, body, key, key_id, now)?,
        Dialect::Cavage => signatures::sign_cavage(&mut req, body, key, key_id, now)?,
    }
    Ok(req.headers)
}
