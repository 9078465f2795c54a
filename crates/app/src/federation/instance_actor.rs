//! The instance actor: the server itself, an `Application` at `/actor`, whose key signs every
//! GET we make (servers in authorised-fetch mode answer only signed ones). Its document is
//! served to anyone, unsigned, so such a server can check our signature without first having
//! to sign a request to us (the loop Mastodon breaks the same way).
//!
//! With `AppConfig::authorized_fetch` on, [`check_signed_get`] asks the same of others for our
//! collections and posts: a valid signature from a server allowed to federate, or 401/403.

use std::time::SystemTime;

use canteen_federation::keys::PrivateKey;
use canteen_federation::signatures::{self, RequestParts, VerifyOptions};
use canteen_federation::vocab::Context;
use http::{HeaderMap, Method};
use serde_json::{Value, json};

use super::actors::{self, KeyLookupError};
use super::{key_id, shared_inbox};
use crate::{App, AppConfig, AppError, Result};

pub fn uri(cfg: &AppConfig) -> String {
    format!("{}/actor", cfg.public_url)
}

/// The signer our GETs carry.
pub async fn signer(app: &App) -> Result<(PrivateKey, String)> {
    Ok((super::keys::instance_key(app).await?, key_id(&uri(&app.config))))
}

/// The document at `/actor`.
pub async fn document(app: &App) -> Result<Value> {
    let id = uri(&app.config);
    let pem = super::keys::instance_key(app).await?.public_key().to_pem();
    let domain = app.config.domain();
    Ok(json!({
        "@context": Context::canteen(),
        "id": id, "type": "Application", "preferredUsername": domain, "name": app.config.title,
        "inbox": format!("{id}/inbox"), "outbox": format!("{id}/outbox"),
        "endpoints": {"sharedInbox": shared_inbox(&app.config)},
        "manuallyApprovesFollowers": true,
        "url": format!("{}/about", app.config.public_url),
        "publicKey": {"id": key_id(&id), "owner": id, "publicKeyPem": pem},
    }))
}

/// In authorised-fetch mode, a GET of our collections or posts must be signed by a server
/// allowed to federate with us. `path_and_query` as requested; `public_url` is the origin.
pub async fn check_signed_get(app: &App, path_and_query: &str, headers: &HeaderMap) -> Result<()> {
    if !app.config.authorized_fetch {
        return Ok(());
    }
    let refuse = |why: String| AppError::Unauthorized(format!("Request not signed: {why}"));
    let uri = format!("{}{path_and_query}", app.config.public_url)
        .parse()
        .map_err(|_| AppError::BadRequest("the request target is not a valid URI".into()))?;
    let parts = RequestParts::new(Method::GET, uri, headers.clone());
    let pending = signatures::prepare(&parts, b"", &VerifyOptions::new(SystemTime::now()))
        .map_err(|e| refuse(format!("this server requires signed requests ({e})")))?;
    let key_id = pending.key_id().to_string();
    // A server that may not federate is refused before any key is looked up or fetched.
    let domain = url::Url::parse(&key_id).ok().and_then(|u| super::authority_of(&u));
    super::domains::require_permit(app, &domain.ok_or_else(|| refuse(format!("the key id {key_id} is not a URL")))?)
        .await?;
    let key = actors::key(app, &key_id, false).await.map_err(|e| match e {
        KeyLookupError::App(inner @ (AppError::Forbidden(_) | AppError::Internal(_))) => inner,
        other => refuse(format!("could not get the signing key {key_id}: {other}")),
    })?;
    pending.verify(&key.key).map_err(|e| refuse(e.to_string()))?;
    Ok(())
}
