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
    let mut auth = Auth { token_id: token.id, app_id: token.app_id, scopes, user: None, account: None };
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
