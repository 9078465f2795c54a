//! Local accounts' RSA key pairs: made on first need, kept in `account_keys`. The private key
//! is read only here, to sign; nothing returns it to a front door.

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
