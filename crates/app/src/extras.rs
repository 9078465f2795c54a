//! Private notes on accounts, featured profiles, followed hashtags, suggestions of whom to
//! follow, and muted conversations.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::validation::Invalid;
use canteen_store::{accounts, extras as store, statuses};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::follows::{Relationship, relationship};
use crate::{App, AppError, Result};

pub const NOTE_MAX: usize = 2000;

async fn target(app: &App, id: Id) -> Result<Account> {
    match accounts::by_id(app.store.reader(), id).await? {
        Some(a) if a.suspended_at.is_none() => Ok(a),
        _ => Err(AppError::NotFound("Record not found".into())),
    }
}

/// Sets (or, with an empty comment, clears) the caller's private note on an account.
pub async fn set_note(app: &App, auth: &Auth, id: Id, comment: &str) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    target(app, id).await?;
    if comment.chars().count() > NOTE_MAX {
        return Err(AppError::invalid(Invalid::new(
            "comment",
            "ERR_TOO_LONG",
            format!("Note is too long (maximum is {NOTE_MAX} characters)"),
        )));
    }
    store::set_note(app.store.writer(), me.id, id, comment, now_ms()).await?;
    relationship(app, me.id, id).await
}

/// Features (or stops featuring) an account one follows on one's profile.
pub async fn endorse(app: &App, auth: &Auth, id: Id, on: bool) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    target(app, id).await?;
    if on && !canteen_store::relationships::is_following(app.store.reader(), me.id, id).await? {
        return Err(AppError::Unprocessable("You can only feature accounts you follow".into()));
    }
    store::endorse(app.store.writer(), me.id, id, on, now_ms()).await?;
    relationship(app, me.id, id).await
}

/// The accounts `owner` features; hidden like follows when the owner hides collections.
pub async fn endorsements(app: &App, viewer: Option<Id>, owner: Id) -> Result<Vec<Account>> {
    let o = target(app, owner).await?;
    if o.privacy.hide_collections && viewer != Some(owner) {
        return Ok(Vec::new());
    }
    let ids = store::endorsed(app.store.reader(), owner).await?;
    Ok(accounts::by_ids(app.store.reader(), &ids).await?.into_iter().filter(|a| a.suspended_at.is_none()).collect())
}

fn normalise_tag(name: &str) -> Result<String> {
    let t = name.trim().trim_start_matches('#').to_lowercase();
    if t.is_empty()
        || t.chars().count() > 100
        || !t.chars().all(|c| c.is_alphanumeric() || c == '_')
        || !t.chars().any(char::is_alphabetic)
    {
        return Err(AppError::NotFound("Record not found".into()));
    }
    Ok(t)
}

/// (tag, whether the caller follows it).
pub async fn tag(app: &App, auth: Option<&Auth>, name: &str) -> Result<(String, bool)> {
    let t = normalise_tag(name)?;
    let following = match auth.and_then(|a| a.account.as_ref()) {
        Some(me) => store::followed_tags(app.store.reader(), me.id).await?.contains(&t),
        None => false,
    };
    Ok((t, following))
}

/// Follows a hashtag: its public posts arrive in the caller's home feed.
pub async fn follow_tag(app: &App, auth: &Auth, name: &str, on: bool) -> Result<(String, bool)> {
    let (_, me) = auth.signed_in()?;
    let t = normalise_tag(name)?;
    store::follow_tag(app.store.writer(), me.id, &t, on, now_ms()).await?;
    Ok((t, on))
}

pub async fn followed_tags(app: &App, auth: &Auth) -> Result<Vec<String>> {
    let (_, me) = auth.signed_in()?;
    Ok(store::followed_tags(app.store.reader(), me.id).await?)
}

/// Whom to follow: accounts the people you follow follow (most shared first), then the
/// most-followed discoverable accounts. Never yourself, someone you follow, someone
/// blocked either way, or a profile that asked not to be suggested.
pub async fn suggestions(app: &App, auth: &Auth, limit: i64) -> Result<Vec<(Account, &'static str)>> {
    let (_, me) = auth.signed_in()?;
    let viewer = crate::viewer::Viewer::load(app, Some(me)).await?;
    let mut picks: Vec<(Id, &'static str)> = store::friends_of_friends(app.store.reader(), me.id, limit * 2)
        .await?
        .into_iter()
        .map(|(a, _)| (a, "friends_of_friends"))
        .collect();
    for id in store::most_followed(app.store.reader(), limit * 3).await? {
        if !picks.iter().any(|(p, _)| *p == id) {
            picks.push((id, "global"));
        }
    }
    let ids: Vec<Id> = picks.iter().map(|(a, _)| *a).collect();
    let found = accounts::by_ids(app.store.reader(), &ids).await?;
    let mut out = Vec::new();
    for (id, source) in picks {
        let Some(a) = found.iter().find(|a| a.id == id) else { continue };
        if a.id == me.id
            || viewer.follows(a.id)
            || viewer.blocks_or_blocked_by(a.id)
            || !a.privacy.discoverable
            || a.suspended_at.is_some()
        {
            continue;
        }
        out.push((a.clone(), source));
        if out.len() as i64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// The first post of the thread a post belongs to.
pub async fn root_of(app: &App, id: Id) -> Result<Id> {
    let mut current = id;
    for _ in 0..crate::statuses::MAX_THREAD {
        match statuses::by_id(app.store.reader(), current).await?.and_then(|s| s.in_reply_to_id) {
            Some(parent) => current = parent,
            None => break,
        }
    }
    Ok(current)
}

/// Mutes (or unmutes) notifications from the conversation a visible post belongs to.
pub async fn mute_conversation(app: &App, auth: &Auth, id: Id, on: bool) -> Result<()> {
    let (_, me) = auth.signed_in()?;
    crate::statuses::get(app, Some(auth), id).await?;
    let root = root_of(app, id).await?;
    store::mute_conversation(app.store.writer(), me.id, root, on, now_ms()).await?;
    Ok(())
}

pub async fn conversation_muted(app: &App, account: Id, status: Id) -> Result<bool> {
    let root = root_of(app, status).await?;
    Ok(store::conversation_muted(app.store.reader(), account, root).await?)
}

/// A featured hashtag with its public use by the owner.
#[derive(Debug, Clone)]
pub struct FeaturedTag {
    pub id: i64,
    pub name: String,
    pub statuses_count: i64,
    pub last_status_at: Option<i64>,
}

pub async fn featured_tags(app: &App, owner: Id) -> Result<Vec<FeaturedTag>> {
    target(app, owner).await?;
    Ok(store::featured_tags(app.store.reader(), owner)
        .await?
        .into_iter()
        .map(|(id, name, statuses_count, last_status_at)| FeaturedTag { id, name, statuses_count, last_status_at })
        .collect())
}

/// Features a hashtag on the caller's profile (at most 10, as in Mastodon).
pub async fn feature_tag(app: &App, auth: &Auth, name: &str) -> Result<FeaturedTag> {
    let (_, me) = auth.signed_in()?;
    let t = normalise_tag(name).map_err(|_| {
        AppError::invalid(Invalid::new("name", "ERR_INVALID", "Name must be a hashtag such as `FluJab`"))
    })?;
    let existing = store::featured_tags(app.store.reader(), me.id).await?;
    if existing.iter().any(|(_, n, _, _)| *n == t) {
        return Err(AppError::invalid(Invalid::new("name", "ERR_TAKEN", "That hashtag is already featured")));
    }
    if existing.len() >= 10 {
        return Err(AppError::Unprocessable("You can feature at most 10 hashtags".into()));
    }
    store::feature_tag(app.store.writer(), app.next_id().0, me.id, &t, now_ms()).await?;
    featured_tags(app, me.id)
        .await?
        .into_iter()
        .find(|f| f.name == t)
        .ok_or_else(|| AppError::Internal("featured tag vanished".into()))
}

pub async fn unfeature_tag(app: &App, auth: &Auth, id: i64) -> Result<()> {
    let (_, me) = auth.signed_in()?;
    if !store::unfeature_tag(app.store.writer(), me.id, id).await? {
        return Err(AppError::NotFound("Record not found".into()));
    }
    Ok(())
}
