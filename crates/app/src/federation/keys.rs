//! Local accounts' RSA key pairs: made on first need, kept in `account_keys`; and the instance
//! actor's (the server itself, which signs our GETs), kept in `settings`. Private keys are read
//! only here, to sign; nothing returns them to a front door.

use canteen_domain::account::Account;
use canteen_federation::keys::PrivateKey;
use canteen_store::federation::{self as fstore, KeyPair};

use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// The account's key pair, generating and storing one the first time.
async fn key_pair(app: &App, account: &Account) -> Result<KeyPair> {
    if !account.is_local() {
        return Err(AppError::Internal(format!("account {} is remote and has no key of ours", account.id)));
    }
    if let Some(pair) = fstore::key_pair(app.store.reader(), account.id).await? {
        return Ok(pair);
    }
    // RSA generation takes a while (seconds in debug builds); keep it off the async threads.
    let key = tokio::task::spawn_blocking(PrivateKey::generate)
        .await
        .map_err(|e| AppError::Internal(format!("key generation task: {e}")))?
        .map_err(|e| AppError::Internal(format!("key generation: {e}")))?;
    let pair = KeyPair { public_key_pem: key.public_key().to_pem(), private_key_pem: key.to_pem() };
    fstore::insert_key_pair(app.store.writer(), account.id, &pair, now_ms()).await?;
    // Read back through the writer: a racing request may have stored its key first, and
    // everyone must publish and sign with the same one.
    fstore::key_pair(app.store.writer(), account.id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("key of account {} vanished", account.id)))
}

/// The public key, SPKI PEM, for the actor document.
pub async fn public_key_pem(app: &App, account: &Account) -> Result<String> {
    Ok(key_pair(app, account).await?.public_key_pem)
}

/// The private key, to sign a delivery.
pub(crate) async fn signing_key(app: &App, account: &Account) -> Result<PrivateKey> {
    let pair = key_pair(app, account).await?;
    PrivateKey::from_pem(&pair.private_key_pem)
        .map_err(|e| AppError::Internal(format!("stored key of account {}: {e}", account.id)))
}

/// Where the instance actor's private key is kept (`settings`; never served by any route).
const INSTANCE_KEY_SETTING: &str = "federation.instance_actor_private_key";

/// The instance actor's key, generating and storing it the first time.
pub(crate) async fn instance_key(app: &App) -> Result<PrivateKey> {
    let read = |pem: String| {
        PrivateKey::from_pem(&serde_json::from_str::<String>(&pem).unwrap_or(pem))
            .map_err(|e| AppError::Internal(format!("stored instance actor key: {e}")))
    };
    if let Some(pem) = canteen_store::settings::get(app.store.reader(), INSTANCE_KEY_SETTING).await? {
        return read(pem);
    }
    let key = tokio::task::spawn_blocking(PrivateKey::generate)
        .await
        .map_err(|e| AppError::Internal(format!("key generation task: {e}")))?
        .map_err(|e| AppError::Internal(format!("key generation: {e}")))?;
    let value = serde_json::to_string(&key.to_pem()).map_err(|e| AppError::Internal(e.to_string()))?;
    canteen_store::settings::insert_if_absent(app.store.writer(), INSTANCE_KEY_SETTING, &value, now_ms()).await?;
    let stored = canteen_store::settings::get(app.store.writer(), INSTANCE_KEY_SETTING).await?;
    read(stored.ok_or_else(|| AppError::Internal("the instance actor key vanished".into()))?)
}
