//! Posts, their mentions, tags and edit history, and idempotency keys.

use canteen_domain::Id;
use canteen_domain::status::{Status, Visibility};

use crate::db::{Exec, exec};
use crate::error::{Result, StoreError};
use crate::id_list::{IdList, bind_ids};

macro_rules! columns {
    () => {
        "id, account_id, uri, url, text, content_html, spoiler_text, sensitive, language, visibility, circle_id, \
         place, in_reply_to_id, in_reply_to_account_id, reblog_of_id, application_id, pinned_at, created_at, edited_at"
    };
}

macro_rules! select {
    ($where:literal) => {
        concat!("SELECT ", columns!(), " FROM statuses ", $where)
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    account_id: i64,
    uri: String,
    url: String,
    text: String,
    content_html: String,
    spoiler_text: String,
    sensitive: bool,
    language: Option<String>,
    visibility: String,
    circle_id: Option<i64>,
    place: Option<String>,
    in_reply_to_id: Option<i64>,
    in_reply_to_account_id: Option<i64>,
    reblog_of_id: Option<i64>,
    application_id: Option<i64>,
    pinned_at: Option<i64>,
    created_at: i64,
    edited_at: Option<i64>,
}

impl TryFrom<Row> for Status {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Status> {
        Ok(Status {
            id: Id(r.id),
            account_id: Id(r.account_id),
            visibility: Visibility::from_parts(&r.visibility, r.circle_id.map(Id))
                .ok_or_else(|| StoreError::Corrupt(format!("visibility `{}`", r.visibility)))?,
            uri: r.uri,
            url: r.url,
            text: r.text,
            content_html: r.content_html,
            spoiler_text: r.spoiler_text,
            sensitive: r.sensitive,
            language: r.language,
            place: r.place,
            in_reply_to_id: r.in_reply_to_id.map(Id),
            in_reply_to_account_id: r.in_reply_to_account_id.map(Id),
            reblog_of_id: r.reblog_of_id.map(Id),
            application_id: r.application_id,
            pinned_at: r.pinned_at,
            created_at: r.created_at,
            edited_at: r.edited_at,
        })
    }
}

fn circle(v: Visibility) -> Option<i64> {
    match v {
        Visibility::Circle(id) => Some(id.0),
        _ => None,
    }
}

fn rows(rows: Vec<Row>) -> Result<Vec<Status>> {
    rows.into_iter().map(Status::try_from).collect()
}

pub async fn insert(e: Exec<'_>, s: &Status) -> Result<()> {
    insert_many(e, &[s]).await
}

/// Several new posts in one statement (a group commit of posts made at the same moment).
pub async fn insert_many(e: Exec<'_>, posts: &[&Status]) -> Result<()> {
    let mut e = e;
    for chunk in posts.chunks(crate::rows::MAX_ROWS) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO statuses ({}) VALUES {}",
            columns!(),
            crate::rows::placeholders(chunk.len(), 19)
        ));
        exec!(e.reborrow(), x => {
            let mut q = sqlx::query(sql).persistent(chunk.len() == 1);
            for s in chunk {
                q = q.bind(s.id.0).bind(s.account_id.0).bind(&s.uri).bind(&s.url).bind(&s.text).bind(&s.content_html)
                    .bind(&s.spoiler_text).bind(s.sensitive).bind(&s.language).bind(s.visibility.kind())
                    .bind(circle(s.visibility)).bind(&s.place).bind(s.in_reply_to_id.map(|i| i.0))
                    .bind(s.in_reply_to_account_id.map(|i| i.0)).bind(s.reblog_of_id.map(|i| i.0))
                    .bind(s.application_id).bind(s.pinned_at).bind(s.created_at).bind(s.edited_at);
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Writes the editable parts of a post.
pub async fn update_content(e: Exec<'_>, s: &Status) -> Result<()> {
    const SQL: &str = "UPDATE statuses SET text = $2, content_html = $3, spoiler_text = $4, sensitive = $5, \
        language = $6, edited_at = $7 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(s.id.0).bind(&s.text).bind(&s.content_html).bind(&s.spoiler_text)
        .bind(s.sensitive).bind(&s.language).bind(s.edited_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_pinned(e: Exec<'_>, id: Id, pinned_at: Option<i64>) -> Result<()> {
    exec!(e, x => sqlx::query("UPDATE statuses SET pinned_at = $2 WHERE id = $1").bind(id.0).bind(pinned_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(e: Exec<'_>, id: Id) -> Result<bool> {
    Ok(exec!(e, x => sqlx::query("DELETE FROM statuses WHERE id = $1").bind(id.0).execute(x).await
        .map(|r| r.rows_affected()))?
        > 0)
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<Status>> {
    let row: Option<Row> =
        exec!(e, x => sqlx::query_as::<_, Row>(select!("WHERE id = $1")).bind(id.0).fetch_optional(x).await)?;
    row.map(Status::try_from).transpose()
}

/// A post by its ActivityPub id (ours or another server's).
pub async fn by_uri(e: Exec<'_>, uri: &str) -> Result<Option<Status>> {
    let row: Option<Row> =
        exec!(e, x => sqlx::query_as::<_, Row>(select!("WHERE uri = $1")).bind(uri).fetch_optional(x).await)?;
    row.map(Status::try_from).transpose()
}

/// Several posts by id, in no particular order (callers order them).
pub async fn by_ids(e: Exec<'_>, ids: &[Id]) -> Result<Vec<Status>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE id IN ({})", select!(""), list.sql));
    rows(exec!(e, x => bind_ids!(sqlx::query_as::<_, Row>(sql), list).fetch_all(x).await)?)
}

/// The window of a page: newest first below `max_id`, above `since_id`; or, with
/// `min_id`, the oldest ones above it (then reversed by the caller).
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

impl Page {
    pub(crate) fn bounds(&self) -> (i64, i64, bool) {
        let upper = self.max_id.unwrap_or(i64::MAX);
        let lower = self.min_id.or(self.since_id).unwrap_or(0);
        (upper, lower, self.min_id.is_some())
    }
}

/// A reblog of `status_id` by `account_id`, if any.
pub async fn reblog_by(e: Exec<'_>, account_id: Id, status_id: Id) -> Result<Option<Status>> {
    let row: Option<Row> = exec!(e, x => sqlx::query_as::<_, Row>(select!("WHERE account_id = $1 AND reblog_of_id = $2"))
        .bind(account_id.0).bind(status_id.0).fetch_optional(x).await)?;
    row.map(Status::try_from).transpose()
}

/// Candidates for an account's profile, newest first.
pub async fn by_account(e: Exec<'_>, account_id: Id, page: Page, pinned_only: bool) -> Result<Vec<Status>> {
    let (upper, lower, ascending) = page.bounds();
    let sql = match (pinned_only, ascending) {
        (true, _) => select!(
            "WHERE account_id = $1 AND pinned_at IS NOT NULL AND id < $2 AND id > $3 ORDER BY pinned_at DESC LIMIT $4"
        ),
        (false, false) => {
            select!("WHERE account_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4")
        }
        (false, true) => {
            select!("WHERE account_id = $1 AND id < $2 AND id > $3 ORDER BY id ASC LIMIT $4")
        }
    };
    rows(
        exec!(e, x => sqlx::query_as::<_, Row>(sql).bind(account_id.0).bind(upper).bind(lower).bind(page.limit).fetch_all(x).await)?,
    )
}

/// Candidates for the public timeline: public posts (not reblogs), newest first.
pub async fn public(e: Exec<'_>, page: Page, local_only: bool) -> Result<Vec<Status>> {
    let (upper, lower, ascending) = page.bounds();
    // Silenced servers' posts stay off public timelines (their followers still get them).
    macro_rules! public_where {
        ($extra:literal, $order:literal) => {
            concat!(
                "SELECT ",
                columns!(),
                " FROM statuses WHERE visibility = 'public' AND reblog_of_id IS NULL AND id < $1 AND id > $2 ",
                $extra,
                " AND account_id NOT IN (SELECT a.id FROM accounts a JOIN domain_blocks d ON lower(a.domain) = d.domain \
                 WHERE d.severity = 'silence') ORDER BY id ",
                $order,
                " LIMIT $3"
            )
        };
    }
    let sql = match (local_only, ascending) {
        (false, false) => public_where!("", "DESC"),
        (false, true) => public_where!("", "ASC"),
        (true, false) => public_where!("AND account_id IN (SELECT id FROM accounts WHERE domain IS NULL)", "DESC"),
        (true, true) => public_where!("AND account_id IN (SELECT id FROM accounts WHERE domain IS NULL)", "ASC"),
    };
    rows(exec!(e, x => sqlx::query_as::<_, Row>(sql).bind(upper).bind(lower).bind(page.limit).fetch_all(x).await)?)
}

/// Candidates for a hashtag timeline: public posts carrying any of `tags`, newest first.
pub async fn by_tags(e: Exec<'_>, tags: &[String], page: Page) -> Result<Vec<Status>> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let (upper, lower, ascending) = page.bounds();
    let order = if ascending { "ASC" } else { "DESC" };
    // Placeholders only; the tags themselves are bound.
    let marks: Vec<String> = (0..tags.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE visibility = 'public' AND id IN (SELECT status_id FROM status_tags WHERE tag IN ({})) \
         AND id < $1 AND id > $2 AND account_id NOT IN (SELECT a.id FROM accounts a \
         JOIN domain_blocks d ON lower(a.domain) = d.domain WHERE d.severity = 'silence') \
         ORDER BY id {order} LIMIT $3",
        select!(""),
        marks.join(", ")
    ));
    let found: Vec<Row> = exec!(e, x => {
        let mut q = sqlx::query_as::<_, Row>(sql).bind(upper).bind(lower).bind(page.limit);
        for t in tags {
            q = q.bind(t.to_lowercase());
        }
        q.fetch_all(x).await
    })?;
    rows(found)
}

/// Direct replies to any of `ids`.
pub async fn replies_to(e: Exec<'_>, ids: &[Id]) -> Result<Vec<Status>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE in_reply_to_id IN ({}) ORDER BY id", select!(""), list.sql));
    rows(exec!(e, x => bind_ids!(sqlx::query_as::<_, Row>(sql), list).fetch_all(x).await)?)
}

pub async fn insert_mentions(e: Exec<'_>, status_id: Id, accounts: &[Id]) -> Result<()> {
    let pairs: Vec<(Id, Id)> = accounts.iter().map(|a| (status_id, *a)).collect();
    insert_mentions_many(e, &pairs).await
}

/// (post, mentioned account) pairs, of one post or many, in one statement.
pub async fn insert_mentions_many(e: Exec<'_>, pairs: &[(Id, Id)]) -> Result<()> {
    let mut e = e;
    for chunk in pairs.chunks(crate::rows::MAX_ROWS) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO status_mentions (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            crate::rows::placeholders(chunk.len(), 2)
        ));
        exec!(e.reborrow(), x => {
            let mut q = sqlx::query(sql).persistent(chunk.len() == 1);
            for (status, account) in chunk {
                q = q.bind(status.0).bind(account.0);
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn insert_tags(e: Exec<'_>, status_id: Id, tags: &[String]) -> Result<()> {
    let pairs: Vec<(Id, String)> = tags.iter().map(|t| (status_id, t.clone())).collect();
    insert_tags_many(e, &pairs).await
}

/// (post, hashtag) pairs, of one post or many, in one statement. Tags are kept lower case.
pub async fn insert_tags_many(e: Exec<'_>, pairs: &[(Id, String)]) -> Result<()> {
    let mut e = e;
    for chunk in pairs.chunks(crate::rows::MAX_ROWS) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO status_tags (status_id, tag) VALUES {} ON CONFLICT DO NOTHING",
            crate::rows::placeholders(chunk.len(), 2)
        ));
        exec!(e.reborrow(), x => {
            let mut q = sqlx::query(sql).persistent(chunk.len() == 1);
            for (status, tag) in chunk {
                q = q.bind(status.0).bind(tag.to_lowercase());
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn clear_mentions_and_tags(e: Exec<'_>, status_id: Id) -> Result<()> {
    let mut e = e;
    exec!(e.reborrow(), x => sqlx::query("DELETE FROM status_mentions WHERE status_id = $1").bind(status_id.0).execute(x).await.map(|r| r.rows_affected()))?;
    exec!(e, x => sqlx::query("DELETE FROM status_tags WHERE status_id = $1").bind(status_id.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// (status id, mentioned account id) for the given posts, by post and then account id (the
/// same order on both backends, and the order a new post's view is built in).
pub async fn mentions_of(e: Exec<'_>, ids: &[Id]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT status_id, account_id FROM status_mentions WHERE status_id IN ({}) ORDER BY status_id, account_id",
        list.sql
    ));
    Ok(exec!(e, x => bind_ids!(sqlx::query_as::<_, (i64, i64)>(sql), list).fetch_all(x).await)?)
}

/// (status id, tag) for the given posts.
pub async fn tags_of(e: Exec<'_>, ids: &[Id]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT status_id, tag FROM status_tags WHERE status_id IN ({}) ORDER BY tag",
        list.sql
    ));
    Ok(exec!(e, x => bind_ids!(sqlx::query_as::<_, (i64, String)>(sql), list).fetch_all(x).await)?)
}

/// Per post: (id, replies, reblogs, favourites).
pub async fn counts(e: Exec<'_>, ids: &[Id]) -> Result<Vec<(i64, i64, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT s.id, \
         (SELECT count(*) FROM statuses r WHERE r.in_reply_to_id = s.id AND r.visibility IN ('public', 'unlisted')), \
         (SELECT count(*) FROM statuses b WHERE b.reblog_of_id = s.id AND b.visibility IN ('public', 'unlisted')), \
         (SELECT count(*) FROM favourites f WHERE f.status_id = s.id) \
         FROM statuses s WHERE s.id IN ({})",
        list.sql
    ));
    Ok(exec!(e, x => bind_ids!(sqlx::query_as::<_, (i64, i64, i64, i64)>(sql), list).fetch_all(x).await)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EditRecord {
    pub id: i64,
    pub status_id: i64,
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: i64,
}

pub async fn insert_edit(e: Exec<'_>, r: &EditRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO status_edits (id, status_id, text, spoiler_text, sensitive, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    exec!(e, x => sqlx::query(SQL).bind(r.id).bind(r.status_id).bind(&r.text).bind(&r.spoiler_text).bind(r.sensitive)
        .bind(r.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Earlier versions of a post, oldest first.
pub async fn edits(e: Exec<'_>, status_id: Id) -> Result<Vec<EditRecord>> {
    const SQL: &str = "SELECT id, status_id, text, spoiler_text, sensitive, created_at FROM status_edits WHERE status_id = $1 ORDER BY id";
    Ok(exec!(e, x => sqlx::query_as::<_, EditRecord>(SQL).bind(status_id.0).fetch_all(x).await)?)
}

pub async fn idempotent_status(e: Exec<'_>, account_id: Id, key: &str) -> Result<Option<Id>> {
    const SQL: &str = "SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND key = $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account_id.0).bind(key).fetch_optional(x).await)?.map(Id))
}

/// Idempotency keys of several new posts: (account, key, post).
pub async fn remember_idempotency_many(e: Exec<'_>, keys: &[(Id, String, Id)], now: i64) -> Result<()> {
    let mut e = e;
    for chunk in keys.chunks(crate::rows::MAX_ROWS) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO idempotency_keys (account_id, key, status_id, created_at) VALUES {}",
            crate::rows::placeholders(chunk.len(), 4)
        ));
        exec!(e.reborrow(), x => {
            let mut q = sqlx::query(sql).persistent(chunk.len() == 1);
            for (account, key, status) in chunk {
                q = q.bind(account.0).bind(key).bind(status.0).bind(now);
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Number of posts by an account (for the profile counters).
pub async fn count_by_account(e: Exec<'_>, account_id: Id) -> Result<i64> {
    Ok(
        exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM statuses WHERE account_id = $1 AND visibility <> 'direct'").bind(account_id.0).fetch_one(x).await)?,
    )
}

pub async fn count_local(e: Exec<'_>) -> Result<i64> {
    const SQL: &str = "SELECT count(*) FROM statuses WHERE reblog_of_id IS NULL AND account_id IN (SELECT id FROM accounts WHERE domain IS NULL)";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).fetch_one(x).await)?)
}

/// Candidates for a list timeline: posts by any of `authors`, newest first.
pub async fn by_accounts(e: Exec<'_>, authors: &[Id], page: Page) -> Result<Vec<Status>> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let (upper, lower, ascending) = page.bounds();
    let order = if ascending { "ASC" } else { "DESC" };
    let list = IdList::new(authors, 4);
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE account_id IN ({}) AND id < $1 AND id > $2 ORDER BY id {order} LIMIT $3",
        select!(""),
        list.sql
    ));
    rows(
        exec!(e, x => bind_ids!(sqlx::query_as::<_, Row>(sql).bind(upper).bind(lower).bind(page.limit), list).fetch_all(x).await)?,
    )
}

/// Posts of pulled authors (`feeds::mark_pulled`) that a follower's home timeline merges in:
/// originals in the followers' audiences (public, unlisted, followers-only). Re-posts and
/// narrower audiences still reach readers through fan-out.
pub async fn for_pulled_home(e: Exec<'_>, authors: &[Id], page: Page) -> Result<Vec<Status>> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let (upper, lower, ascending) = page.bounds();
    let order = if ascending { "ASC" } else { "DESC" };
    let list = IdList::new(authors, 4);
    // SQLite would rather walk every post in id order (or every original, by the re-post
    // index) than read each author's range and sort: tell it which index serves this.
    let index = match e {
        Exec::SqlitePool(_) | Exec::Sqlite(_) => "INDEXED BY statuses_account_id",
        Exec::PgPool(_) | Exec::Pg(_) => "",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM statuses {index} WHERE account_id IN ({}) AND id < $1 AND id > $2 AND reblog_of_id IS NULL \
         AND visibility IN ('public', 'unlisted', 'private') ORDER BY id {order} LIMIT $3",
        columns!(),
        list.sql
    ));
    rows(
        exec!(e, x => bind_ids!(sqlx::query_as::<_, Row>(sql).bind(upper).bind(lower).bind(page.limit), list).fetch_all(x).await)?,
    )
}

/// Re-posts of a post, newest first.
pub async fn reblogs_of(e: Exec<'_>, original: Id, limit: i64) -> Result<Vec<Status>> {
    rows(exec!(e, x => sqlx::query_as::<_, Row>(select!("WHERE reblog_of_id = $1 ORDER BY id DESC LIMIT $2"))
        .bind(original.0).bind(limit).fetch_all(x).await)?)
}

/// Every post after `after` in id order, a batch at a time (for rebuilding the search index).
pub async fn all_after(e: Exec<'_>, after: Id, limit: i64) -> Result<Vec<Status>> {
    const SQL: &str = select!("WHERE id > $1 ORDER BY id LIMIT $2");
    rows(exec!(e, x => sqlx::query_as::<_, Row>(SQL).bind(after.0).bind(limit).fetch_all(x).await)?)
}

/// How many posts there are (for progress reports).
pub async fn count_all(e: Exec<'_>) -> Result<i64> {
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM statuses").fetch_one(x).await)?)
}

/// Links a post to the post it answers, once that post is known here (fetched after the reply
/// arrived); only while the reply has no parent yet.
pub async fn set_parent(e: Exec<'_>, id: Id, parent: Id, parent_account: Id) -> Result<bool> {
    const SQL: &str =
        "UPDATE statuses SET in_reply_to_id = $2, in_reply_to_account_id = $3 WHERE id = $1 AND in_reply_to_id IS NULL";
    Ok(
        exec!(e, x => sqlx::query(SQL).bind(id.0).bind(parent.0).bind(parent_account.0).execute(x).await.map(|r| r.rows_affected()))?
            > 0,
    )
}
