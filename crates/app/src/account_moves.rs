//! Moving a profile to another account (here or on another server), as Mastodon does: the new
//! account must first say it is this one (its `alsoKnownAs`); then this profile records where
//! it went (`movedTo`), its followers on other servers are sent a `Move`, and its followers
//! here follow the new account instead. A profile here names the accounts that may move to it
//! in its aliases.

use canteen_domain::account::Account;
use canteen_domain::validation::Invalid;
use canteen_federation::vocab::Context;
use canteen_store::accounts;
use serde_json::json;

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::federation::actors::KeyLookupError;
use crate::{App, AppError, Result};

/// How many other accounts a profile may say it also is.
pub const MAX_ALIASES: usize = 10;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(Invalid::new(field, "ERR_INVALID", message))
}

/// Sets the accounts (ids, such as `https://other.example/users/me`) that may move to this
/// profile; servers see them in its actor document.
pub async fn set_aliases(app: &App, auth: &Auth, aliases: &[String]) -> Result<Account> {
    let (_, me) = auth.signed_in()?;
    let mut list: Vec<String> = Vec::new();
    for a in aliases.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        let ok = url::Url::parse(a).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some());
        if !ok {
            return Err(invalid("also_known_as", format!("{a} is not an account's address (https://…)")));
        }
        if a == me.uri {
            return Err(invalid("also_known_as", "A profile cannot be an alias of itself"));
        }
        if !list.iter().any(|x| x == a) {
            list.push(a.to_string());
        }
    }
    if list.len() > MAX_ALIASES {
        return Err(invalid("also_known_as", format!("Enter at most {MAX_ALIASES} accounts")));
    }
    let mut a = me.clone();
    a.also_known_as = list;
    a.updated_at = now_ms();
    save_and_tell(app, &a, None).await?;
    Ok(a)
}

/// Moves the caller's profile to `target` (an account's address, or `user@server`) after
/// checking the password again.
pub async fn move_to(app: &App, auth: &Auth, target: &str, password: &str) -> Result<Account> {
    let (user, me) = auth.signed_in()?;
    if password.is_empty() || !crate::passwords::verify(password, &user.password_hash).await {
        return Err(invalid("password", "Enter your password correctly"));
    }
    if me.moved_to.is_some() {
        return Err(AppError::Unprocessable("This profile has already moved".into()));
    }
    let target = target.trim();
    if target.is_empty() {
        return Err(invalid("target", "Enter the address of the account you are moving to"));
    }
    // The new account, and the accounts it says it also is.
    let (new_account, aliases) = if target.starts_with("https://") || target.starts_with("http://") {
        if crate::federation::is_local_uri(&app.config, target) {
            local_target(app, crate::federation::local_username(&app.config, target), target).await?
        } else {
            remote_target(app, target).await?
        }
    } else if target.trim_start_matches('@').contains('@') {
        let found = crate::federation::resolve::account_by_handle(app, target)
            .await
            .map_err(|_| invalid("target", format!("{target} could not be found")))?;
        if found.is_local() {
            local_target(app, Some(&found.username), target).await?
        } else {
            remote_target(app, &found.uri).await?
        }
    } else {
        local_target(app, Some(target), target).await?
    };
    if new_account.id == me.id {
        return Err(invalid("target", "That is this profile"));
    }
    if !aliases.iter().any(|a| a == &me.uri) {
        return Err(invalid(
            "target",
            format!(
                "The new account does not say it is this profile yet. On it, add {} as an alias, then try again.",
                me.uri
            ),
        ));
    }
    let mut moved = me.clone();
    moved.moved_to = Some(new_account.uri.clone());
    moved.updated_at = now_ms();
    let activity = json!({
        "@context": Context::canteen(),
        "id": format!("{}#moves/{}", me.uri, moved.updated_at),
        "type": "Move",
        "actor": me.uri,
        "object": me.uri,
        "target": new_account.uri,
        "to": [format!("{}/followers", me.uri)],
    })
    .to_string();
    save_and_tell(app, &moved, Some(&activity)).await?;
    // Followers here follow the new account.
    crate::follows::move_followers(app, me.id, new_account.id).await?;
    Ok(moved)
}

async fn local_target(app: &App, username: Option<&str>, given: &str) -> Result<(Account, Vec<String>)> {
    let found = match username {
        Some(name) => accounts::by_local_username(app.store.reader(), name.trim_start_matches('@')).await?,
        None => None,
    };
    let a = found
        .filter(|a| a.suspended_at.is_none())
        .ok_or_else(|| invalid("target", format!("{given} could not be found")))?;
    let aliases = a.also_known_as.clone();
    Ok((a, aliases))
}

async fn remote_target(app: &App, uri: &str) -> Result<(Account, Vec<String>)> {
    let (account, doc) = crate::federation::actors::refetch(app, uri).await.map_err(|e| match e {
        KeyLookupError::App(AppError::Forbidden(m)) => invalid("target", m),
        other => invalid("target", format!("{uri} could not be fetched: {other}")),
    })?;
    Ok((account, doc.also_known_as))
}

/// Saves the profile and sends what changed to the servers of its remote followers: `Update`
/// of its actor document, then (for a move) the `Move`, in one transaction.
async fn save_and_tell(app: &App, a: &Account, move_activity: Option<&str>) -> Result<()> {
    // The servers of its remote followers (none: nothing to send).
    let update = crate::federation::outbox::actor_update(app, a).await?;
    let mut tx = app.store.begin().await?;
    accounts::update(tx.exec(), a).await?;
    if let Some((activity, inboxes)) = &update {
        crate::federation::outbox::enqueue_for(app, tx.exec(), a.id, inboxes, activity).await?;
        if let Some(activity) = move_activity {
            crate::federation::outbox::enqueue_for(app, tx.exec(), a.id, inboxes, activity).await?;
        }
    }
    tx.commit().await?;
    // Cached live posts carry the profile (its `moved` account): build them afresh.
    app.relations_changed();
    Ok(())
}
