//! Follows, follow requests, blocks and mutes.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

macro_rules! run {
    ($e:expr, $sql:expr $(, $b:expr)*) => {
        exec!($e, x => sqlx::query($sql)$(.bind($b))*.execute(x).await.map(|r| r.rows_affected()))
    };
}

macro_rules! ids {
    ($e:expr, $sql:expr $(, $b:expr)*) => {
        exec!($e, x => sqlx::query_scalar::<_, i64>($sql)$(.bind($b))*.fetch_all(x).await)
            .map(|v| v.into_iter().map(Id).collect::<Vec<_>>())
    };
}

macro_rules! exists {
    ($e:expr, $sql:expr $(, $b:expr)*) => {
        exec!($e, x => sqlx::query_scalar::<_, i64>($sql)$(.bind($b))*.fetch_optional(x).await).map(|o| o.is_some())
    };
}

pub async fn follow(e: Exec<'_>, from: Id, to: Id, show_reblogs: bool, notify: bool, now: i64) -> Result<()> {
    run!(
        e,
        "INSERT INTO follows (account_id, target_account_id, show_reblogs, notify, created_at) VALUES ($1, $2, $3, $4, $5) \
        ON CONFLICT (account_id, target_account_id) DO UPDATE SET show_reblogs = $3, notify = $4",
        from.0,
        to.0,
        show_reblogs,
        notify,
        now
    )?;
    Ok(())
}

pub async fn unfollow(e: Exec<'_>, from: Id, to: Id) -> Result<bool> {
    Ok(run!(e, "DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2", from.0, to.0)? > 0)
}

pub async fn is_following(e: Exec<'_>, from: Id, to: Id) -> Result<bool> {
    Ok(exists!(
        e,
        "SELECT CAST(1 AS BIGINT) FROM follows WHERE account_id = $1 AND target_account_id = $2",
        from.0,
        to.0
    )?)
}

/// (show_reblogs, notify) of a follow, if it exists.
pub async fn follow_flags(e: Exec<'_>, from: Id, to: Id) -> Result<Option<(bool, bool)>> {
    const SQL: &str = "SELECT show_reblogs, notify FROM follows WHERE account_id = $1 AND target_account_id = $2";
    Ok(exec!(e, x => sqlx::query_as::<_, (bool, bool)>(SQL).bind(from.0).bind(to.0).fetch_optional(x).await)?)
}

/// Whom `id` follows.
pub async fn following_ids(e: Exec<'_>, id: Id) -> Result<Vec<Id>> {
    Ok(ids!(e, "SELECT target_account_id FROM follows WHERE account_id = $1", id.0)?)
}

/// Who follows `id`.
pub async fn follower_ids(e: Exec<'_>, id: Id) -> Result<Vec<Id>> {
    Ok(ids!(e, "SELECT account_id FROM follows WHERE target_account_id = $1", id.0)?)
}

/// Followers who want reblogs by `id` in their home feed (everyone but those who turned them off).
pub async fn follower_ids_showing_reblogs(e: Exec<'_>, id: Id) -> Result<Vec<Id>> {
    Ok(ids!(e, "SELECT account_id FROM follows WHERE target_account_id = $1 AND show_reblogs = TRUE", id.0)?)
}

/// Followers who asked to be notified of every post by `id`.
pub async fn follower_ids_notifying(e: Exec<'_>, id: Id) -> Result<Vec<Id>> {
    Ok(ids!(e, "SELECT account_id FROM follows WHERE target_account_id = $1 AND notify = TRUE", id.0)?)
}

/// One page of an account's followers or followings, newest first, as (cursor, account id).
pub async fn page(e: Exec<'_>, id: Id, followers: bool, max: i64, limit: i64) -> Result<Vec<(i64, Id)>> {
    let sql = if followers {
        "SELECT created_at, account_id FROM follows WHERE target_account_id = $1 AND created_at < $2 ORDER BY created_at DESC LIMIT $3"
    } else {
        "SELECT created_at, target_account_id FROM follows WHERE account_id = $1 AND created_at < $2 ORDER BY created_at DESC LIMIT $3"
    };
    let rows: Vec<(i64, i64)> = exec!(e, x => sqlx::query_as(sql).bind(id.0).bind(max).bind(limit).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(c, a)| (c, Id(a))).collect())
}

pub async fn count_followers(e: Exec<'_>, id: Id) -> Result<i64> {
    Ok(
        exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM follows WHERE target_account_id = $1").bind(id.0).fetch_one(x).await)?,
    )
}

pub async fn count_following(e: Exec<'_>, id: Id) -> Result<i64> {
    Ok(
        exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM follows WHERE account_id = $1").bind(id.0).fetch_one(x).await)?,
    )
}

pub async fn request(e: Exec<'_>, id: i64, from: Id, to: Id, show_reblogs: bool, notify: bool, now: i64) -> Result<()> {
    run!(
        e,
        "INSERT INTO follow_requests (id, account_id, target_account_id, show_reblogs, notify, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
        ON CONFLICT (account_id, target_account_id) DO UPDATE SET show_reblogs = $4, notify = $5",
        id,
        from.0,
        to.0,
        show_reblogs,
        notify,
        now
    )?;
    Ok(())
}

/// Removes a request, returning its (show_reblogs, notify) if there was one.
pub async fn take_request(e: Exec<'_>, from: Id, to: Id) -> Result<Option<(bool, bool)>> {
    const SQL: &str =
        "DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2 RETURNING show_reblogs, notify";
    Ok(exec!(e, x => sqlx::query_as::<_, (bool, bool)>(SQL).bind(from.0).bind(to.0).fetch_optional(x).await)?)
}

pub async fn has_request(e: Exec<'_>, from: Id, to: Id) -> Result<bool> {
    Ok(exists!(
        e,
        "SELECT CAST(1 AS BIGINT) FROM follow_requests WHERE account_id = $1 AND target_account_id = $2",
        from.0,
        to.0
    )?)
}

/// Pending requests to `to`, newest first, as (request id, requester).
pub async fn requests_to(e: Exec<'_>, to: Id, max: i64, limit: i64) -> Result<Vec<(i64, Id)>> {
    const SQL: &str =
        "SELECT id, account_id FROM follow_requests WHERE target_account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
    let rows: Vec<(i64, i64)> = exec!(e, x => sqlx::query_as(SQL).bind(to.0).bind(max).bind(limit).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(r, a)| (r, Id(a))).collect())
}

pub async fn count_requests_to(e: Exec<'_>, to: Id) -> Result<i64> {
    Ok(
        exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM follow_requests WHERE target_account_id = $1").bind(to.0).fetch_one(x).await)?,
    )
}

pub async fn block(e: Exec<'_>, from: Id, to: Id, now: i64) -> Result<()> {
    run!(
        e,
        "INSERT INTO blocks (account_id, target_account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        from.0,
        to.0,
        now
    )?;
    Ok(())
}

pub async fn unblock(e: Exec<'_>, from: Id, to: Id) -> Result<bool> {
    Ok(run!(e, "DELETE FROM blocks WHERE account_id = $1 AND target_account_id = $2", from.0, to.0)? > 0)
}

pub async fn is_blocking(e: Exec<'_>, from: Id, to: Id) -> Result<bool> {
    Ok(exists!(
        e,
        "SELECT CAST(1 AS BIGINT) FROM blocks WHERE account_id = $1 AND target_account_id = $2",
        from.0,
        to.0
    )?)
}

/// Everyone `id` has blocked or is blocked by.
pub async fn block_partners(e: Exec<'_>, id: Id) -> Result<Vec<Id>> {
    Ok(ids!(
        e,
        "SELECT target_account_id FROM blocks WHERE account_id = $1 UNION SELECT account_id FROM blocks WHERE target_account_id = $1",
        id.0
    )?)
}

pub async fn blocked_ids(e: Exec<'_>, id: Id) -> Result<Vec<Id>> {
    Ok(ids!(e, "SELECT target_account_id FROM blocks WHERE account_id = $1 ORDER BY created_at DESC", id.0)?)
}

/// Drops follows and requests in both directions (on block).
pub async fn sever(e: Exec<'_>, a: Id, b: Id) -> Result<()> {
    let mut e = e;
    remove_from_lists_of(e.reborrow(), a, b).await?;
    remove_from_lists_of(e.reborrow(), b, a).await?;
    run!(
        e.reborrow(),
        "DELETE FROM follows WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1)",
        a.0,
        b.0
    )?;
    run!(
        e,
        "DELETE FROM follow_requests WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1)",
        a.0,
        b.0
    )?;
    Ok(())
}

pub async fn mute(e: Exec<'_>, from: Id, to: Id, notifications: bool, expires_at: Option<i64>, now: i64) -> Result<()> {
    run!(
        e,
        "INSERT INTO mutes (account_id, target_account_id, notifications, expires_at, created_at) VALUES ($1, $2, $3, $4, $5) \
        ON CONFLICT (account_id, target_account_id) DO UPDATE SET notifications = $3, expires_at = $4",
        from.0,
        to.0,
        notifications,
        expires_at,
        now
    )?;
    Ok(())
}

pub async fn unmute(e: Exec<'_>, from: Id, to: Id) -> Result<bool> {
    Ok(run!(e, "DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2", from.0, to.0)? > 0)
}

/// Accounts `id` mutes now, with whether notifications are muted too.
pub async fn muted(e: Exec<'_>, id: Id, now: i64) -> Result<Vec<(Id, bool)>> {
    const SQL: &str = "SELECT target_account_id, notifications FROM mutes WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC";
    let rows: Vec<(i64, bool)> = exec!(e, x => sqlx::query_as(SQL).bind(id.0).bind(now).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(a, n)| (Id(a), n)).collect())
}

/// Everything the audience rule and the timelines need to know about one viewer, read in one
/// statement (it was six): whom they follow, who follows them, whom they block or are blocked
/// by, whom they mute (and whether notifications too), the circles they are in, and the
/// members of their own exclusive lists.
#[derive(Debug, Default)]
pub struct ViewerSets {
    pub following: Vec<Id>,
    pub followers: Vec<Id>,
    pub block_partners: Vec<Id>,
    pub muted: Vec<(Id, bool)>,
    pub circles: Vec<Id>,
    pub exclusive_list_members: Vec<Id>,
    /// Followed accounts whose posts home reads merge in (too many followers to fan out to).
    pub pulled_following: Vec<Id>,
}

pub async fn viewer_sets(e: Exec<'_>, id: Id, now: i64) -> Result<ViewerSets> {
    const SQL: &str = "SELECT 1, target_account_id, FALSE FROM follows WHERE account_id = $1 \
         UNION ALL SELECT 2, account_id, FALSE FROM follows WHERE target_account_id = $1 \
         UNION ALL SELECT 3, target_account_id, FALSE FROM blocks WHERE account_id = $1 \
         UNION ALL SELECT 3, account_id, FALSE FROM blocks WHERE target_account_id = $1 \
         UNION ALL SELECT 4, target_account_id, notifications FROM mutes \
           WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2) \
         UNION ALL SELECT 5, list_id, FALSE FROM list_accounts WHERE account_id = $1 \
         UNION ALL SELECT 6, la.account_id, FALSE FROM list_accounts la JOIN lists l ON l.id = la.list_id \
           WHERE l.account_id = $1 AND l.exclusive = TRUE \
         UNION ALL SELECT 7, p.account_id, FALSE FROM home_pull_authors p \
           JOIN follows f ON f.target_account_id = p.account_id WHERE f.account_id = $1";
    let rows: Vec<(i32, i64, bool)> = exec!(e, x => sqlx::query_as(SQL).bind(id.0).bind(now).fetch_all(x).await)?;
    Ok(sets_from(rows))
}

/// The other side of [`viewer_sets`]: everyone standing in some relation to one author —
/// their followers, whom they follow, their block partners (either way), who mutes them now —
/// and the members of one circle list. Enough to ask the audience rule and the mute check for
/// any viewer of one of the author's posts without a statement per viewer (the live streams).
#[derive(Debug, Default)]
pub struct AuthorSets {
    pub followers: Vec<Id>,
    pub following: Vec<Id>,
    pub block_partners: Vec<Id>,
    pub muted_by: Vec<Id>,
    pub circle_members: Vec<Id>,
    /// Owners of exclusive lists the author is on: the author's posts stay out of their home.
    pub exclusive_list_owners: Vec<Id>,
}

pub async fn author_sets(e: Exec<'_>, author: Id, circle: Option<Id>, now: i64) -> Result<AuthorSets> {
    const SQL: &str = "SELECT 1, account_id FROM follows WHERE target_account_id = $1 \
         UNION ALL SELECT 2, target_account_id FROM follows WHERE account_id = $1 \
         UNION ALL SELECT 3, target_account_id FROM blocks WHERE account_id = $1 \
         UNION ALL SELECT 3, account_id FROM blocks WHERE target_account_id = $1 \
         UNION ALL SELECT 4, account_id FROM mutes \
           WHERE target_account_id = $1 AND (expires_at IS NULL OR expires_at > $3) \
         UNION ALL SELECT 5, account_id FROM list_accounts WHERE list_id = $2 \
         UNION ALL SELECT 6, l.account_id FROM list_accounts la JOIN lists l ON l.id = la.list_id \
           WHERE la.account_id = $1 AND l.exclusive = TRUE";
    let rows: Vec<(i32, i64)> = exec!(e, x => sqlx::query_as(SQL)
        .bind(author.0).bind(circle.map(|l| l.0).unwrap_or(-1)).bind(now).fetch_all(x).await)?;
    let mut sets = AuthorSets::default();
    for (kind, other) in rows {
        let other = Id(other);
        match kind {
            1 => sets.followers.push(other),
            2 => sets.following.push(other),
            3 => sets.block_partners.push(other),
            4 => sets.muted_by.push(other),
            5 => sets.circle_members.push(other),
            _ => sets.exclusive_list_owners.push(other),
        }
    }
    Ok(sets)
}

fn sets_from(rows: Vec<(i32, i64, bool)>) -> ViewerSets {
    let mut sets = ViewerSets::default();
    for (kind, other, flag) in rows {
        let other = Id(other);
        match kind {
            1 => sets.following.push(other),
            2 => sets.followers.push(other),
            3 => sets.block_partners.push(other),
            4 => sets.muted.push((other, flag)),
            5 => sets.circles.push(other),
            6 => sets.exclusive_list_members.push(other),
            _ => sets.pulled_following.push(other),
        }
    }
    sets
}

/// Members of a list.
pub async fn list_members(e: Exec<'_>, list_id: Id) -> Result<Vec<Id>> {
    Ok(ids!(e, "SELECT account_id FROM list_accounts WHERE list_id = $1", list_id.0)?)
}

/// The owner of a list, if it exists.
pub async fn list_owner(e: Exec<'_>, list_id: Id) -> Result<Option<Id>> {
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT account_id FROM lists WHERE id = $1").bind(list_id.0).fetch_optional(x).await)?.map(Id))
}

/// Takes `member` off every list `owner` has (when the owner stops following them or
/// either blocks the other), so a circle never outlives the relationship it was made of.
pub async fn remove_from_lists_of(e: Exec<'_>, owner: Id, member: Id) -> Result<()> {
    run!(
        e,
        "DELETE FROM list_accounts WHERE account_id = $2 AND list_id IN (SELECT id FROM lists WHERE account_id = $1)",
        owner.0,
        member.0
    )?;
    Ok(())
}

/// Local accounts following `account` (an account elsewhere that moved), with their
/// (show re-posts, notify) choices.
pub async fn local_followers_of(e: Exec<'_>, account: Id) -> Result<Vec<(Id, bool, bool)>> {
    const SQL: &str = "SELECT f.account_id, f.show_reblogs, f.notify FROM follows f \
        JOIN accounts a ON a.id = f.account_id WHERE f.target_account_id = $1 AND a.domain IS NULL ORDER BY f.account_id";
    let rows: Vec<(i64, bool, bool)> = exec!(e, x => sqlx::query_as(SQL).bind(account.0).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(a, r, n)| (Id(a), r, n)).collect())
}
