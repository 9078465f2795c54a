//! Several profiles under one login (a personal and a professional one), and switching
//! between them. Each profile is its own account to everyone else; nothing links them.

use canteen_domain::Id;
use canteen_domain::account::{Account, ProfileMode};
use canteen_domain::validation::{self, Invalid};
use canteen_store::accounts;

use crate::accounts::{conflict_as_taken, new_local_account, not_found};
use crate::auth::Auth;
use crate::clock::now_ms;
use crate::oauth::{IssuedToken, issue_token};
use crate::{App, AppError, Result};

/// How many profiles one login may hold.
pub const MAX_PROFILES: usize = 5;

/// The caller's profiles, oldest first.
pub async fn list(app: &App, auth: &Auth) -> Result<Vec<Account>> {
    let (user, _) = auth.signed_in()?;
    Ok(accounts::by_user(app.store.reader(), user.id).await?)
}

/// Adds a profile to the caller's login.
pub async fn create(
    app: &App,
    auth: &Auth,
    username: &str,
    display_name: Option<&str>,
    mode: ProfileMode,
) -> Result<Account> {
    let (user, _) = auth.signed_in()?;
    let mut problems: Vec<Invalid> = validation::username(username).err().into_iter().collect();
    if let Some(name) = display_name {
        problems
            .extend(validation::max_chars("display_name", "Display name", name, validation::DISPLAY_NAME_MAX).err());
    }
    if problems.is_empty() && accounts::by_local_username(app.store.reader(), username).await?.is_some() {
        problems.push(Invalid::new("username", "ERR_TAKEN", "Username has already been taken"));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mut tx = app.store.begin().await?;
    let existing = accounts::by_user(tx.exec(), user.id).await?;
    if existing.len() >= MAX_PROFILES {
        return Err(AppError::Unprocessable(format!("A login can hold at most {MAX_PROFILES} profiles")));
    }
    let mut account = new_local_account(app, user.id, username, mode, now_ms());
    account.display_name = display_name.unwrap_or_default().to_string();
    accounts::insert(tx.exec(), &account).await.map_err(conflict_as_taken)?;
    tx.commit().await?;
    Ok(account)
}

/// Switching hands the app a second token acting as the other profile, with the same
/// scopes; the current token keeps working, as with two accounts signed in to one app.
pub async fn switch(app: &App, auth: &Auth, profile_id: Id) -> Result<(IssuedToken, Account)> {
    let (user, _) = auth.signed_in()?;
    let target = accounts::by_id(app.store.reader(), profile_id).await?.ok_or_else(not_found)?;
    // Someone else's profile is answered exactly like a missing one.
    if target.user_id != Some(user.id) {
        return Err(not_found());
    }
    crate::auth::check_may_sign_in(user, &target)?;
    let token = issue_token(app, app.store.writer(), auth.app_id, Some((user, &target)), &auth.scopes).await?;
    Ok((token, target))
}
