//! What administrators do: from the command line (trusted: whoever runs it owns the server)
//! and from the admin pages (each use case checks the caller is an admin: the `*_as` ones).

use canteen_domain::account::{Account, ProfileMode, Role, User};
use canteen_store::{accounts, oauth, rules, users};

use crate::accounts::{NewLogin, create_login};
use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// Creates a confirmed, approved login with a professional profile.
pub async fn create_user(
    app: &App,
    username: &str,
    email: &str,
    password: &str,
    role: Role,
) -> Result<(User, Account)> {
    create_login(
        app,
        NewLogin {
            username: username.into(),
            email: email.into(),
            password: password.into(),
            role,
            confirmed: true,
            approved: true,
            locale: None,
            reason: None,
            mode: ProfileMode::Professional,
        },
    )
    .await
}

async fn find(app: &App, username: &str) -> Result<(User, Account)> {
    let missing = || AppError::NotFound(format!("No local account named `{username}`"));
    let account = accounts::by_local_username(app.store.reader(), username).await?.ok_or_else(missing)?;
    let uid = account.user_id.ok_or_else(missing)?;
    let user = users::by_id(app.store.reader(), uid).await?.ok_or_else(missing)?;
    Ok((user, account))
}

/// Sets the role of the login that owns `username`.
pub async fn set_role(app: &App, username: &str, role: Role) -> Result<()> {
    let (user, _) = find(app, username).await?;
    users::set_role(app.store.writer(), user.id, role, now_ms()).await?;
    Ok(())
}

/// Suspends one profile and revokes its tokens, in one transaction.
pub async fn suspend(app: &App, username: &str) -> Result<()> {
    let (_, account) = find(app, username).await?;
    let now = now_ms();
    let mut tx = app.store.begin().await?;
    accounts::set_suspended(tx.exec(), account.id, Some(now)).await?;
    oauth::revoke_tokens_of_account(tx.exec(), account.id, now).await?;
    crate::search::enqueue_account(app, tx.exec(), account.id).await?;
    tx.commit().await?;
    // Run from a shell: the servers' open streams learn of it through the database.
    crate::access_generation::announce(app).await?;
    Ok(())
}

pub async fn unsuspend(app: &App, username: &str) -> Result<()> {
    let (_, account) = find(app, username).await?;
    let mut tx = app.store.begin().await?;
    accounts::set_suspended(tx.exec(), account.id, None).await?;
    crate::search::enqueue_account(app, tx.exec(), account.id).await?;
    tx.commit().await?;
    crate::access_generation::announce(app).await?;
    Ok(())
}

/// Approves a sign-up made while registration needed approval.
pub async fn approve(app: &App, username: &str) -> Result<()> {
    let (user, _) = find(app, username).await?;
    users::set_approved(app.store.writer(), user.id, true, now_ms()).await?;
    Ok(())
}

/// Adds a server rule at the end of the list.
pub async fn add_rule(app: &App, text: &str, hint: &str) -> Result<i64> {
    if text.trim().is_empty() {
        return Err(AppError::BadRequest("A rule needs some text".into()));
    }
    let existing = rules::list(app.store.reader()).await?;
    let rule = rules::RuleRecord {
        id: app.next_id().0,
        text: text.trim().to_string(),
        hint: hint.trim().to_string(),
        position: existing.iter().map(|r| r.position).max().unwrap_or(0) + 1,
    };
    rules::insert(app.store.writer(), &rule, now_ms()).await?;
    Ok(rule.id)
}

/// The caller must be an administrator.
pub fn require_admin(auth: &Auth) -> Result<()> {
    let (user, _) = auth.signed_in()?;
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("Only administrators may do this".into()));
    }
    Ok(())
}

/// What an administrator may do to a local profile from the admin pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Suspend,
    Unsuspend,
    Approve,
}

/// Moderates a local profile (admins only; never oneself, so the last admin cannot lock
/// themself out).
pub async fn moderate_as(app: &App, auth: &Auth, username: &str, action: Moderation) -> Result<()> {
    require_admin(auth)?;
    let (_, me) = auth.signed_in()?;
    let username = username.trim().trim_start_matches('@');
    if action == Moderation::Suspend && me.username.eq_ignore_ascii_case(username) {
        return Err(AppError::Forbidden("You cannot suspend yourself".into()));
    }
    match action {
        Moderation::Suspend => suspend(app, username).await,
        Moderation::Unsuspend => unsuspend(app, username).await,
        Moderation::Approve => approve(app, username).await,
    }
}

/// Adds a server rule (admins only).
pub async fn add_rule_as(app: &App, auth: &Auth, text: &str, hint: &str) -> Result<i64> {
    require_admin(auth)?;
    add_rule(app, text, hint).await
}

/// Gives the login that owns `username` a role (admins only; never one's own, so the last
/// admin cannot demote themself by accident).
pub async fn set_role_as(app: &App, auth: &Auth, username: &str, role: &str) -> Result<()> {
    use canteen_domain::validation::Invalid;
    require_admin(auth)?;
    let (me, _) = auth.signed_in()?;
    let Some(role) = Role::parse(role) else {
        return Err(AppError::invalid(Invalid::new("role", "ERR_INCLUSION", "Choose a role")));
    };
    let username = username.trim().trim_start_matches('@');
    let (user, _) = find(app, username).await?;
    if user.id == me.id {
        return Err(AppError::Forbidden("You cannot change your own role".into()));
    }
    users::set_role(app.store.writer(), user.id, role, now_ms()).await?;
    Ok(())
}

/// Sign-ups waiting for approval, oldest first (admins only).
pub async fn awaiting_approval_as(app: &App, auth: &Auth) -> Result<Vec<users::PendingSignUp>> {
    require_admin(auth)?;
    Ok(users::awaiting_approval(app.store.reader(), 200).await?)
}

/// Moderators' and admins' profiles as (username, role) (admins only).
pub async fn staff_as(app: &App, auth: &Auth) -> Result<Vec<(String, String)>> {
    require_admin(auth)?;
    Ok(users::staff(app.store.reader()).await?)
}
