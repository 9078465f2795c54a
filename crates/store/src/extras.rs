//! Private notes, endorsements (featured profiles), followed hashtags, muted conversations.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

macro_rules! run {
    ($e:expr, $sql:expr $(, $b:expr)*) => {
        exec!($e, x => sqlx::query($sql)$(.bind($b))*.execute(x).await.map(|r| r.rows_affected()))
    };
}

pub async fn set_note(e: Exec<'_>, from: Id, to: Id, comment: &str, now: i64) -> Result<()> {
    if comment.is_empty() {
        run!(e, "DELETE FROM account_notes WHERE account_id = $1 AND target_account_id = $2", from.0, to.0)?;
    } else {
        run!(
            e,
            "INSERT INTO account_notes (account_id, target_account_id, comment, updated_at) VALUES ($1, $2, $3, $4) \
            ON CONFLICT (account_id, target_account_id) DO UPDATE SET comment = $3, updated_at = $4",
            from.0,
            to.0,
            comment,
            now
        )?;
    }
    Ok(())
}

pub async fn note(e: Exec<'_>, from: Id, to: Id) -> Result<Option<String>> {
    const SQL: &str = "SELECT comment FROM account_notes WHERE account_id = $1 AND target_account_id = $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, String>(SQL).bind(from.0).bind(to.0).fetch_optional(x).await)?)
}

pub async fn endorse(e: Exec<'_>, from: Id, to: Id, on: bool, now: i64) -> Result<()> {
    if on {
        run!(
            e,
            "INSERT INTO endorsements (account_id, target_account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            from.0,
            to.0,
            now
        )?;
    } else {
        run!(e, "DELETE FROM endorsements WHERE account_id = $1 AND target_account_id = $2", from.0, to.0)?;
    }
    Ok(())
}

pub async fn endorsed(e: Exec<'_>, from: Id) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT target_account_id FROM endorsements WHERE account_id = $1 ORDER BY created_at";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(from.0).fetch_all(x).await)?.into_iter().map(Id).collect())
}

pub async fn follow_tag(e: Exec<'_>, account: Id, tag: &str, on: bool, now: i64) -> Result<()> {
    if on {
        run!(
            e,
            "INSERT INTO followed_tags (account_id, tag, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            account.0,
            tag,
            now
        )?;
    } else {
        run!(e, "DELETE FROM followed_tags WHERE account_id = $1 AND tag = $2", account.0, tag)?;
    }
    Ok(())
}

pub async fn followed_tags(e: Exec<'_>, account: Id) -> Result<Vec<String>> {
    const SQL: &str = "SELECT tag FROM followed_tags WHERE account_id = $1 ORDER BY tag";
    Ok(exec!(e, x => sqlx::query_scalar::<_, String>(SQL).bind(account.0).fetch_all(x).await)?)
}

/// Accounts that follow any of `tags`.
pub async fn tag_followers(e: Exec<'_>, tags: &[String]) -> Result<Vec<Id>> {
    let mut e = e;
    let mut out = Vec::new();
    for t in tags {
        const SQL: &str = "SELECT account_id FROM followed_tags WHERE tag = $1";
        out.extend(
            exec!(e.reborrow(), x => sqlx::query_scalar::<_, i64>(SQL).bind(t).fetch_all(x).await)?.into_iter().map(Id),
        );
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub async fn mute_conversation(e: Exec<'_>, account: Id, root: Id, on: bool, now: i64) -> Result<()> {
    if on {
        run!(
            e,
            "INSERT INTO conversation_mutes (account_id, root_status_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            account.0,
            root.0,
            now
        )?;
    } else {
        run!(e, "DELETE FROM conversation_mutes WHERE account_id = $1 AND root_status_id = $2", account.0, root.0)?;
    }
    Ok(())
}

pub async fn conversation_muted(e: Exec<'_>, account: Id, root: Id) -> Result<bool> {
    const SQL: &str = "SELECT count(*) FROM conversation_mutes WHERE account_id = $1 AND root_status_id = $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account.0).bind(root.0).fetch_one(x).await)? > 0)
}

/// Accounts followed by the accounts `me` follows, most shared first, excluding `me`, whom
/// `me` already follows, and any block partners: (account, how many of `me`'s follows follow them).
pub async fn friends_of_friends(e: Exec<'_>, me: Id, limit: i64) -> Result<Vec<(Id, i64)>> {
    const SQL: &str = "SELECT f2.target_account_id, count(*) AS n FROM follows f1 \
        JOIN follows f2 ON f2.account_id = f1.target_account_id \
        JOIN accounts via ON via.id = f1.target_account_id \
        WHERE f1.account_id = $1 AND f2.target_account_id <> $1 AND via.hide_collections = FALSE \
        AND f2.target_account_id NOT IN (SELECT target_account_id FROM follows WHERE account_id = $1) \
        AND f2.target_account_id NOT IN (SELECT target_account_id FROM blocks WHERE account_id = $1) \
        AND f2.target_account_id NOT IN (SELECT account_id FROM blocks WHERE target_account_id = $1) \
        GROUP BY f2.target_account_id ORDER BY n DESC, f2.target_account_id LIMIT $2";
    let rows: Vec<(i64, i64)> = exec!(e, x => sqlx::query_as(SQL).bind(me.0).bind(limit).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(a, n)| (Id(a), n)).collect())
}

/// The most-followed local accounts, for people who follow no one yet.
pub async fn most_followed(e: Exec<'_>, limit: i64) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT a.id FROM accounts a LEFT JOIN follows f ON f.target_account_id = a.id \
        WHERE a.domain IS NULL AND a.suspended_at IS NULL AND a.discoverable = TRUE \
        GROUP BY a.id ORDER BY count(f.account_id) DESC, a.id LIMIT $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(limit).fetch_all(x).await)?.into_iter().map(Id).collect())
}

pub async fn feature_tag(e: Exec<'_>, id: i64, account: Id, tag: &str, now: i64) -> Result<()> {
    run!(
        e,
        "INSERT INTO featured_tags (id, account_id, tag, created_at) VALUES ($1, $2, $3, $4)",
        id,
        account.0,
        tag,
        now
    )?;
    Ok(())
}

pub async fn unfeature_tag(e: Exec<'_>, account: Id, id: i64) -> Result<bool> {
    Ok(run!(e, "DELETE FROM featured_tags WHERE account_id = $1 AND id = $2", account.0, id)? > 0)
}

/// (id, tag, posts with it by the account, last used) for each featured tag.
pub async fn featured_tags(e: Exec<'_>, account: Id) -> Result<Vec<(i64, String, i64, Option<i64>)>> {
    const SQL: &str = "SELECT f.id, f.tag, \
        (SELECT count(*) FROM status_tags t JOIN statuses s ON s.id = t.status_id WHERE t.tag = f.tag AND s.account_id = f.account_id AND s.visibility = 'public'), \
        (SELECT max(s.created_at) FROM status_tags t JOIN statuses s ON s.id = t.status_id WHERE t.tag = f.tag AND s.account_id = f.account_id AND s.visibility = 'public') \
        FROM featured_tags f WHERE f.account_id = $1 ORDER BY f.id";
    Ok(exec!(e, x => sqlx::query_as::<_, (i64, String, i64, Option<i64>)>(SQL).bind(account.0).fetch_all(x).await)?)
}
