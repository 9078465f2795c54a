//! Who is calling: a bearer token resolved to its app, scopes, login and profile.

use canteen_domain::account::{Account, User};
use canteen_domain::scope::Scopes;
use canteen_store::oauth;

use crate::clock::now_ms;
use crate::secrets::sha256_hex;
use crate::{App, AppError, Result};

/// A resolved access token. `user`/`account` are `None` for app-only tokens
/// (`client_credentials`), which may register accounts and verify the app but act as no one.
#[derive(Debug, Clone)]
pub struct Auth {
    pub token_id: i64,
    pub app_id: i64,
    pub scopes: Scopes,
    pub user: Option<User>,
    pub account: Option<Account>,
    /// When the token expires (epoch ms), if it does.
    pub expires_at: Option<i64>,
}

impl Auth {
    /// Refuses with Mastodon's wording when the token lacks `scope`.
    pub fn require(&self, scope: &str) -> Result<()> {
        if self.scopes.allows(scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden("This action is outside the authorized scopes".into()))
        }
    }

    /// The signed-in person and profile, or Mastodon's 422 for app-only tokens.
    pub fn signed_in(&self) -> Result<(&User, &Account)> {
        match (&self.user, &self.account) {
            (Some(u), Some(a)) => Ok((u, a)),
            _ => Err(AppError::Unprocessable("This method requires an authenticated user".into())),
        }
    }
}

/// Resolves a bearer token. Refuses unknown, revoked and expired tokens (401) and tokens
/// of suspended, unapproved or unconfirmed logins (403), with Mastodon's messages.
pub async fn authenticate(app: &App, bearer: &str) -> Result<Auth> {
    let invalid = || AppError::Unauthorized("The access token is invalid".into());
    let token = oauth::token_by_hash(app.store.reader(), &sha256_hex(bearer)).await?.ok_or_else(invalid)?;
    let now = now_ms();
    if token.revoked_at.is_some() {
        return Err(AppError::Unauthorized("The access token was revoked".into()));
    }
    if token.expires_at.is_some_and(|t| t <= now) {
        return Err(AppError::Unauthorized("The access token expired".into()));
    }
    let scopes = Scopes::parse(&token.scopes).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut auth = Auth {
        token_id: token.id,
        app_id: token.app_id,
        scopes,
        user: None,
        account: None,
        expires_at: token.expires_at,
    };
    if let (Some(uid), Some(aid)) = (token.user_id, token.account_id) {
        let user =
            canteen_store::users::by_id(app.store.reader(), canteen_domain::Id(uid)).await?.ok_or_else(invalid)?;
        let account =
            canteen_store::accounts::by_id(app.store.reader(), canteen_domain::Id(aid)).await?.ok_or_else(invalid)?;
        check_may_sign_in(&user, &account)?;
        auth.user = Some(user);
        auth.account = Some(account);
    }
    // Recording use costs a write; do it at most once a minute per token.
    if token.last_used_at.is_none_or(|t| t < now - 60_000) {
        oauth::touch_token(app.store.writer(), token.id, now).await?;
    }
    Ok(auth)
}

/// When an open stream must check its caller again, rather than before every event: when the
/// access epoch moved (a token revoked, a session ended, a profile or login suspended or
/// deleted — `App::access_changed`; a suspension from the shell or another server reaches
/// here through `access_generation` within seconds), when the token or session expires, and
/// at least once a minute (for changes nothing announces).
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    epoch: u64,
    checked_at: std::time::Instant,
    expires_at: Option<i64>,
}

impl Freshness {
    const LONGEST: std::time::Duration = std::time::Duration::from_secs(60);

    /// A check that began when the epoch was `epoch` (read before the check) and found a
    /// caller whose token or session expires at `expires_at`.
    pub fn new(epoch: u64, expires_at: Option<i64>) -> Freshness {
        Freshness { epoch, checked_at: std::time::Instant::now(), expires_at }
    }

    /// A caller checked without noting the epoch: checked again before the first event.
    pub fn due() -> Freshness {
        Freshness { epoch: u64::MAX, checked_at: std::time::Instant::now(), expires_at: None }
    }

    /// Whether the caller must be checked again before the next event reaches them.
    pub fn is_due(&self, app: &App) -> bool {
        app.access_epoch() != self.epoch
            || self.checked_at.elapsed() >= Self::LONGEST
            || self.expires_at.is_some_and(|t| t <= now_ms())
    }
}

/// The states that stop a login from acting, checked at sign-in and on every request.
pub fn check_may_sign_in(user: &User, account: &Account) -> Result<()> {
    if account.suspended_at.is_some() {
        return Err(AppError::Forbidden("Your login is currently disabled".into()));
    }
    if !user.confirmed {
        return Err(AppError::Forbidden("Your login is missing a confirmed e-mail address".into()));
    }
    if !user.approved {
        return Err(AppError::Forbidden("Your login is currently pending approval".into()));
    }
    Ok(())
}
