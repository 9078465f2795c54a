//! Following, follow requests, blocking and muting, and relationships.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_store::{accounts, feeds, notifications as nstore, relationships as rel};

use crate::accounts::not_found;
use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// How many of an account's recent posts a new follower's home feed starts with.
const BACKFILL: i64 = 40;

/// A relationship between the caller and one account, as Mastodon reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relationship {
    pub id: Id,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub endorsed: bool,
    pub note: String,
}

async fn target(app: &App, id: Id) -> Result<Account> {
    match accounts::by_id(app.store.reader(), id).await? {
        Some(a) if a.suspended_at.is_none() => Ok(a),
        _ => Err(not_found()),
    }
}

pub async fn relationship(app: &App, me: Id, other: Id) -> Result<Relationship> {
    let e = || app.store.reader();
    let flags = rel::follow_flags(e(), me, other).await?;
    let muted = rel::muted(e(), me, now_ms()).await?;
    let mute = muted.iter().find(|(id, _)| *id == other);
    Ok(Relationship {
        id: other,
        following: flags.is_some(),
        showing_reblogs: flags.is_some_and(|f| f.0),
        notifying: flags.is_some_and(|f| f.1),
        followed_by: rel::is_following(e(), other, me).await?,
        blocking: rel::is_blocking(e(), me, other).await?,
        blocked_by: rel::is_blocking(e(), other, me).await?,
        muting: mute.is_some(),
        muting_notifications: mute.is_some_and(|m| m.1),
        requested: rel::has_request(e(), me, other).await?,
        requested_by: rel::has_request(e(), other, me).await?,
        endorsed: canteen_store::extras::endorsed(e(), me).await?.contains(&other),
        note: canteen_store::extras::note(e(), me, other).await?.unwrap_or_default(),
    })
}

/// Follows an account; for a locked account this files a request instead.
pub async fn follow(
    app: &App,
    auth: &Auth,
    id: Id,
    reblogs: Option<bool>,
    notify: Option<bool>,
) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    follow_as(app, me, id, reblogs, notify).await
}

/// [`follow`] for an account the server acts for (a local follower moved along with an
/// account that moved).
pub(crate) async fn follow_as(
    app: &App,
    me: &Account,
    id: Id,
    reblogs: Option<bool>,
    notify: Option<bool>,
) -> Result<Relationship> {
    if me.id == id {
        return Err(AppError::Forbidden("You cannot follow yourself".into()));
    }
    let them = target(app, id).await?;
    if rel::is_blocking(app.store.reader(), me.id, id).await? || rel::is_blocking(app.store.reader(), id, me.id).await?
    {
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    let now = now_ms();
    let existing = rel::follow_flags(app.store.reader(), me.id, id).await?;
    let (reblogs, notify) =
        (reblogs.unwrap_or(existing.is_none_or(|f| f.0)), notify.unwrap_or(existing.is_some_and(|f| f.1)));
    let mut tx = app.store.begin().await?;
    let mut events = Vec::new();
    if let Some((had_reblogs, _)) = existing {
        rel::follow(tx.exec(), me.id, id, reblogs, notify, now).await?;
        if had_reblogs && !reblogs {
            // As Mastodon does: their re-posts already in the home feed go too.
            feeds::remove_reposts(tx.exec(), me.id, id).await?;
        }
    } else if !them.is_local() {
        // Another server decides: a request until its `Accept` arrives, locked or not.
        if !rel::has_request(tx.exec(), me.id, id).await? {
            let request_id = app.next_id();
            rel::request(tx.exec(), request_id.0, me.id, id, reblogs, notify, now).await?;
            let follow_id = format!("{}#follows/{request_id}", me.uri);
            canteen_store::federation::set_follow_uri(tx.exec(), true, me.id, id, &follow_id).await?;
            crate::federation::outbox::follow(app, tx.exec(), me, id, &follow_id).await?;
        }
    } else if them.privacy.locked {
        let first = !rel::has_request(tx.exec(), me.id, id).await?;
        rel::request(tx.exec(), app.next_id().0, me.id, id, reblogs, notify, now).await?;
        if first {
            events.push(crate::notifications::notify(app, tx.exec(), id, me.id, "follow_request", None).await?);
        }
    } else {
        rel::follow(tx.exec(), me.id, id, reblogs, notify, now).await?;
        feeds::backfill(tx.exec(), me.id, id, BACKFILL, reblogs).await?;
        crate::fanout::pull_if_widely_followed(app, tx.exec(), id).await?;
        events.push(crate::notifications::notify(app, tx.exec(), id, me.id, "follow", None).await?);
    }
    tx.commit().await?;
    app.relations_changed();
    crate::notifications::publish(app, events);
    relationship(app, me.id, id).await
}

/// An account moved from `old` to `new`: each local follower of `old` follows `new` (a
/// request where it asks for approval) with the same choices, and stops following `old`.
/// Someone who blocks, or is blocked by, `new` keeps following `old`. Returns how many moved.
pub(crate) async fn move_followers(app: &App, old: Id, new: Id) -> Result<usize> {
    let mut moved = 0;
    for (follower, reblogs, notify) in rel::local_followers_of(app.store.reader(), old).await? {
        let Some(me) = accounts::by_id(app.store.reader(), follower).await? else { continue };
        match follow_as(app, &me, new, Some(reblogs), Some(notify)).await {
            Ok(_) => moved += 1,
            Err(AppError::Forbidden(_)) => continue,
            Err(e) => return Err(e),
        }
        unfollow_as(app, &me, old).await?;
    }
    Ok(moved)
}

/// Unfollows (or withdraws a request); their posts leave the caller's home feed.
pub async fn unfollow(app: &App, auth: &Auth, id: Id) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    unfollow_as(app, me, id).await
}

/// [`unfollow`] for an account the server acts for.
pub(crate) async fn unfollow_as(app: &App, me: &Account, id: Id) -> Result<Relationship> {
    let them = target(app, id).await?;
    let mut tx = app.store.begin().await?;
    if !them.is_local()
        && let Some(follow_id) = canteen_store::federation::follow_uri(tx.exec(), me.id, id).await?
    {
        crate::federation::outbox::undo_follow(app, tx.exec(), me, id, &follow_id).await?;
    }
    rel::unfollow(tx.exec(), me.id, id).await?;
    // Lists (and so circles) are made of people one follows.
    rel::remove_from_lists_of(tx.exec(), me.id, id).await?;
    rel::take_request(tx.exec(), me.id, id).await?;
    nstore::remove_follow_request(tx.exec(), id, me.id).await?;
    feeds::remove_author(tx.exec(), me.id, id).await?;
    tx.commit().await?;
    app.relations_changed();
    relationship(app, me.id, id).await
}

/// Removes an account from the caller's followers.
pub async fn remove_follower(app: &App, auth: &Auth, id: Id) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    target(app, id).await?;
    let mut tx = app.store.begin().await?;
    rel::unfollow(tx.exec(), id, me.id).await?;
    feeds::remove_author(tx.exec(), id, me.id).await?;
    tx.commit().await?;
    app.relations_changed();
    relationship(app, me.id, id).await
}

/// Accepts or rejects a follow request to the caller.
pub async fn settle_request(app: &App, auth: &Auth, from: Id, accept: bool) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    let mut tx = app.store.begin().await?;
    // A request from another server is answered there; its `Follow` id goes with the request.
    let follow_uri = canteen_store::federation::follow_request_uri(tx.exec(), from, me.id).await?;
    let Some((reblogs, notify)) = rel::take_request(tx.exec(), from, me.id).await? else {
        return Err(not_found());
    };
    nstore::remove_follow_request(tx.exec(), me.id, from).await?;
    let mut event = None;
    if accept {
        rel::follow(tx.exec(), from, me.id, reblogs, notify, now_ms()).await?;
        feeds::backfill(tx.exec(), from, me.id, BACKFILL, reblogs).await?;
        crate::fanout::pull_if_widely_followed(app, tx.exec(), me.id).await?;
        event = crate::notifications::notify(app, tx.exec(), me.id, from, "follow", None).await?;
    }
    crate::federation::outbox::follow_request_settled(app, tx.exec(), me, from, follow_uri.as_deref(), accept).await?;
    tx.commit().await?;
    app.relations_changed();
    crate::notifications::publish(app, [event]);
    relationship(app, me.id, from).await
}

/// Pending requests to the caller, newest first, as (cursor, account).
pub async fn requests(app: &App, auth: &Auth, max: Option<i64>, limit: i64) -> Result<Vec<(i64, Account)>> {
    let (_, me) = auth.signed_in()?;
    let rows = rel::requests_to(app.store.reader(), me.id, max.unwrap_or(i64::MAX), limit).await?;
    with_accounts(app, rows).await
}

async fn with_accounts(app: &App, rows: Vec<(i64, Id)>) -> Result<Vec<(i64, Account)>> {
    let ids: Vec<Id> = rows.iter().map(|(_, a)| *a).collect();
    let found = accounts::by_ids(app.store.reader(), &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, id)| found.iter().find(|a| a.id == id && a.suspended_at.is_none()).map(|a| (c, a.clone())))
        .collect())
}

/// Blocks an account: follows and requests both ways end, and each disappears from the
/// other's feeds.
pub async fn block(app: &App, auth: &Auth, id: Id) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    if me.id == id {
        return Err(AppError::Forbidden("You cannot block yourself".into()));
    }
    let them = target(app, id).await?;
    let mut tx = app.store.begin().await?;
    rel::block(tx.exec(), me.id, id, now_ms()).await?;
    rel::sever(tx.exec(), me.id, id).await?;
    feeds::remove_author(tx.exec(), me.id, id).await?;
    feeds::remove_author(tx.exec(), id, me.id).await?;
    if !them.is_local() {
        // Their server is told, so it can stop showing them our posts (Mastodon's `Block`).
        crate::federation::outbox::block(app, tx.exec(), me, id, false).await?;
    }
    tx.commit().await?;
    app.relations_changed();
    relationship(app, me.id, id).await
}

pub async fn unblock(app: &App, auth: &Auth, id: Id) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    let them = target(app, id).await?;
    let mut tx = app.store.begin().await?;
    let was_blocking = rel::unblock(tx.exec(), me.id, id).await?;
    if was_blocking && !them.is_local() {
        crate::federation::outbox::block(app, tx.exec(), me, id, true).await?;
    }
    tx.commit().await?;
    app.relations_changed();
    relationship(app, me.id, id).await
}

/// Mutes an account, optionally for `duration_secs`, and optionally its notifications too.
pub async fn mute(
    app: &App,
    auth: &Auth,
    id: Id,
    notifications: bool,
    duration_secs: Option<i64>,
) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    if me.id == id {
        return Err(AppError::Forbidden("You cannot mute yourself".into()));
    }
    target(app, id).await?;
    let now = now_ms();
    // At most ten years; arithmetic saturates so no duration can overflow.
    let expires = duration_secs.filter(|d| *d > 0).map(|d| now.saturating_add(d.min(315_360_000).saturating_mul(1000)));
    rel::mute(app.store.writer(), me.id, id, notifications, expires, now).await?;
    app.relations_changed();
    relationship(app, me.id, id).await
}

pub async fn unmute(app: &App, auth: &Auth, id: Id) -> Result<Relationship> {
    let (_, me) = auth.signed_in()?;
    target(app, id).await?;
    rel::unmute(app.store.writer(), me.id, id).await?;
    app.relations_changed();
    relationship(app, me.id, id).await
}

/// A page of an account's followers (or followings). Hidden collections show only to
/// their owner; blocked accounts see nothing.
pub async fn collection(
    app: &App,
    auth: Option<&Auth>,
    id: Id,
    followers: bool,
    max: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, Account)>> {
    let owner = target(app, id).await?;
    let me = auth.and_then(|a| a.account.as_ref()).map(|a| a.id);
    if me != Some(id) {
        if owner.privacy.hide_collections {
            return Ok(Vec::new());
        }
        if let Some(me) = me
            && (rel::is_blocking(app.store.reader(), id, me).await?
                || rel::is_blocking(app.store.reader(), me, id).await?)
        {
            return Ok(Vec::new());
        }
    }
    let rows = rel::page(app.store.reader(), id, followers, max.unwrap_or(i64::MAX), limit).await?;
    with_accounts(app, rows).await
}

/// (followers, following) counts, or zeros when the owner hides them from this viewer.
pub async fn counts(app: &App, viewer: Option<Id>, account: &Account) -> Result<(i64, i64)> {
    if account.privacy.hide_collections && viewer != Some(account.id) {
        return Ok((0, 0));
    }
    Ok((
        rel::count_followers(app.store.reader(), account.id).await?,
        rel::count_following(app.store.reader(), account.id).await?,
    ))
}

/// Blocked and muted accounts of the caller.
pub async fn blocked(app: &App, auth: &Auth) -> Result<Vec<Account>> {
    let (_, me) = auth.signed_in()?;
    let ids = rel::blocked_ids(app.store.reader(), me.id).await?;
    Ok(accounts::by_ids(app.store.reader(), &ids).await?)
}

pub async fn muted(app: &App, auth: &Auth) -> Result<Vec<Account>> {
    let (_, me) = auth.signed_in()?;
    let ids: Vec<Id> = rel::muted(app.store.reader(), me.id, now_ms()).await?.into_iter().map(|(a, _)| a).collect();
    Ok(accounts::by_ids(app.store.reader(), &ids).await?)
}

/// Follow requests waiting for the caller's answer.
pub async fn pending_count(app: &App, me: Id) -> Result<i64> {
    Ok(rel::count_requests_to(app.store.reader(), me).await?)
}
