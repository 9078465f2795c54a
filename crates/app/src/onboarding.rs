//! First run and the organisation's social-media policy. Admins set the policy's text; each
//! login acknowledges the version it read (by the text's SHA-256), and is asked again when
//! the text changes. A new profile picks its mode (personal, professional, cross-over).

use canteen_domain::account::{Account, ProfileMode, Role};
use canteen_store::{settings, web_accounts};
use serde::{Deserialize, Serialize};

use crate::accounts::{ProfileUpdate, update_profile};
use crate::auth::Auth;
use crate::clock::now_ms;
use crate::secrets::sha256_hex;
use crate::{App, AppError, Result};

const POLICY_KEY: &str = "social_media_policy";
/// Long enough for a real policy with its links; a summary is better than the whole handbook.
pub const POLICY_MAX_CHARS: usize = 20_000;

/// The organisation's social-media policy as its people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialMediaPolicy {
    pub text: String,
    /// Identifies this version: acknowledgements are of a version.
    pub version: String,
    pub updated_at: i64,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    text: String,
    updated_at: i64,
}

/// The policy in force; `None` when the admins have not set one (nothing to acknowledge).
pub async fn policy(app: &App) -> Result<Option<SocialMediaPolicy>> {
    let Some(json) = settings::get(app.store.reader(), POLICY_KEY).await? else { return Ok(None) };
    let stored: Stored =
        serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("stored social-media policy: {e}")))?;
    if stored.text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(SocialMediaPolicy { version: sha256_hex(&stored.text), text: stored.text, updated_at: stored.updated_at }))
}

/// Replaces the policy's text (admins only). An empty text removes it.
pub async fn set_policy(app: &App, auth: &Auth, text: &str) -> Result<Option<SocialMediaPolicy>> {
    let (user, _) = auth.signed_in()?;
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("Only administrators may change the social-media policy".into()));
    }
    let text = text.replace("\r\n", "\n").trim().to_string();
    if text.chars().count() > POLICY_MAX_CHARS {
        return Err(AppError::invalid(canteen_domain::validation::Invalid::new(
            "policy",
            "ERR_TOO_LONG",
            format!("The policy is too long: the limit is {POLICY_MAX_CHARS} characters"),
        )));
    }
    let json =
        serde_json::to_string(&Stored { text, updated_at: now_ms() }).map_err(|e| AppError::Internal(e.to_string()))?;
    settings::set(app.store.writer(), POLICY_KEY, &json, now_ms()).await?;
    policy(app).await
}

/// The policy this login has yet to acknowledge, if any.
pub async fn policy_to_acknowledge(app: &App, auth: &Auth) -> Result<Option<SocialMediaPolicy>> {
    let (user, _) = auth.signed_in()?;
    let Some(p) = policy(app).await? else { return Ok(None) };
    let done = web_accounts::policy_acknowledged_at(app.store.reader(), user.id.0, &p.version).await?;
    Ok(if done.is_some() { None } else { Some(p) })
}

/// Records that the login read and accepted policy `version`. A version that is no longer
/// in force is refused: the text changed while they were reading it.
pub async fn acknowledge_policy(app: &App, auth: &Auth, version: &str) -> Result<()> {
    let (user, _) = auth.signed_in()?;
    match policy(app).await? {
        Some(p) if p.version == version => {
            web_accounts::acknowledge_policy(app.store.writer(), user.id.0, version, now_ms()).await?;
            Ok(())
        }
        Some(_) => Err(AppError::Unprocessable(
            "The social-media policy changed while you were reading it. Read the new version and confirm again.".into(),
        )),
        None => Ok(()),
    }
}

/// How many logins acknowledged the version in force.
pub async fn acknowledgement_count(app: &App) -> Result<i64> {
    match policy(app).await? {
        Some(p) => Ok(web_accounts::policy_acknowledgement_count(app.store.reader(), &p.version).await?),
        None => Ok(0),
    }
}

/// Sets the profile's mode, which resets its privacy settings to that mode's defaults.
pub async fn choose_mode(app: &App, auth: &Auth, mode: ProfileMode) -> Result<Account> {
    update_profile(app, auth, ProfileUpdate { profile_mode: Some(mode), ..Default::default() }).await
}
