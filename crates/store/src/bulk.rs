//! Bulk loading for the benchmark's generated data sets: many rows a statement, values
//! written inline (they are generated numbers and plain words, quoted safely), one
//! transaction a batch. Not used by the server.

use crate::db::{Exec, exec};
use crate::error::Result;

/// Quotes a generated string as an SQL literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn run(e: Exec<'_>, sql: String) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(sql);
    exec!(e, x => sqlx::query(sql).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct BulkAccount<'a> {
    pub id: i64,
    pub username: &'a str,
    pub uri: &'a str,
    pub url: &'a str,
    pub created_at: i64,
}

/// Logins and their profiles (one each), professional mode, password hash as given.
pub async fn accounts(e: Exec<'_>, rows: &[BulkAccount<'_>], password_hash: &str) -> Result<()> {
    let mut e = e;
    let users: Vec<String> = rows
        .iter()
        .map(|a| {
            format!(
                "({}, {}, {}, 'user', TRUE, TRUE, {}, {})",
                a.id,
                lit(&format!("{}@bench.example", a.username)),
                lit(password_hash),
                a.created_at,
                a.created_at
            )
        })
        .collect();
    run(
        e.reborrow(),
        format!(
            "INSERT INTO users (id, email, password_hash, role, confirmed, approved, created_at, updated_at) VALUES {}",
            users.join(",")
        ),
    )
    .await?;
    let accounts: Vec<String> = rows
        .iter()
        .map(|a| {
            format!(
                "({id}, {id}, {u}, {uri}, {url}, FALSE, TRUE, TRUE, FALSE, 'professional', 'public', 'public', 'public', \
                 'public', 'public', 'followers', {t}, {t})",
                id = a.id,
                u = lit(a.username),
                uri = lit(a.uri),
                url = lit(a.url),
                t = a.created_at
            )
        })
        .collect();
    run(
        e,
        format!(
            "INSERT INTO accounts (id, user_id, username, uri, url, locked, discoverable, indexable, hide_collections, \
             profile_mode, default_visibility, job_title_visibility, profession_visibility, employer_visibility, \
             seniority_visibility, location_visibility, created_at, updated_at) VALUES {}",
            accounts.join(",")
        ),
    )
    .await
}

/// (follower, followed, created_at).
pub async fn follows(e: Exec<'_>, rows: &[(i64, i64, i64)]) -> Result<()> {
    let values: Vec<String> = rows.iter().map(|(a, b, t)| format!("({a}, {b}, {t})")).collect();
    run(
        e,
        format!(
            "INSERT INTO follows (account_id, target_account_id, created_at) VALUES {} ON CONFLICT DO NOTHING",
            values.join(",")
        ),
    )
    .await
}

pub struct BulkStatus<'a> {
    pub id: i64,
    pub account_id: i64,
    pub uri: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub visibility: &'a str,
    pub in_reply_to: Option<(i64, i64)>,
    pub reblog_of: Option<i64>,
    pub created_at: i64,
}

pub async fn statuses(e: Exec<'_>, rows: &[BulkStatus<'_>]) -> Result<()> {
    let opt = |v: Option<i64>| v.map_or("NULL".to_string(), |x| x.to_string());
    let values: Vec<String> = rows
        .iter()
        .map(|s| {
            format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                s.id,
                s.account_id,
                lit(s.uri),
                lit(s.uri),
                lit(s.text),
                lit(s.html),
                lit(s.visibility),
                opt(s.in_reply_to.map(|r| r.0)),
                opt(s.in_reply_to.map(|r| r.1)),
                opt(s.reblog_of),
                s.created_at
            )
        })
        .collect();
    run(
        e,
        format!(
            "INSERT INTO statuses (id, account_id, uri, url, text, content_html, visibility, in_reply_to_id, \
             in_reply_to_account_id, reblog_of_id, created_at) VALUES {}",
            values.join(",")
        ),
    )
    .await
}

/// (status, tag) and (status, mentioned account).
pub async fn tags_and_mentions(e: Exec<'_>, tags: &[(i64, String)], mentions: &[(i64, i64)]) -> Result<()> {
    let mut e = e;
    if !tags.is_empty() {
        let v: Vec<String> = tags.iter().map(|(s, t)| format!("({s}, {})", lit(t))).collect();
        run(
            e.reborrow(),
            format!("INSERT INTO status_tags (status_id, tag) VALUES {} ON CONFLICT DO NOTHING", v.join(",")),
        )
        .await?;
    }
    if !mentions.is_empty() {
        let v: Vec<String> = mentions.iter().map(|(s, a)| format!("({s}, {a})")).collect();
        run(
            e,
            format!(
                "INSERT INTO status_mentions (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
                v.join(",")
            ),
        )
        .await?;
    }
    Ok(())
}

/// Fills home feeds as fan-out would have, for posts newer than `since_id` that followers
/// may see (public, unlisted, followers-only), plus each author's own posts.
pub async fn home_feeds_since(e: Exec<'_>, since_id: i64) -> Result<()> {
    let mut e = e;
    run(
        e.reborrow(),
        format!(
            "INSERT INTO home_feed (account_id, status_id) SELECT f.account_id, s.id FROM statuses s \
             JOIN follows f ON f.target_account_id = s.account_id \
             WHERE s.id > {since_id} AND s.visibility IN ('public', 'unlisted', 'private') ON CONFLICT DO NOTHING"
        ),
    )
    .await?;
    run(
        e,
        format!(
            "INSERT INTO home_feed (account_id, status_id) SELECT s.account_id, s.id FROM statuses s WHERE s.id > {since_id} \
             ON CONFLICT DO NOTHING"
        ),
    )
    .await
}

/// PostgreSQL: drops `schema` with everything in it and creates it empty, for a data set
/// generated afresh. `schema` is the bench's own generated name.
pub async fn recreate_schema(e: Exec<'_>, schema: &str) -> Result<()> {
    let mut e = e;
    run(e.reborrow(), format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await?;
    run(e, format!("CREATE SCHEMA {schema}")).await
}

/// Takes an author off the hybrid fan-out's pulled list (the server never does: once pulled,
/// always pulled), so a benchmark can compare both ways of delivering on one data set.
pub async fn unpull(e: Exec<'_>, account: i64) -> Result<()> {
    run(e, format!("DELETE FROM home_pull_authors WHERE account_id = {account}")).await
}

/// `ANALYZE`, so the planner knows the generated tables' sizes.
pub async fn analyze(e: Exec<'_>) -> Result<()> {
    run(e, "ANALYZE".to_string()).await
}

/// A secondary index set aside for a bulk load: its name and the statement that makes it.
pub struct IndexDefinition {
    pub name: String,
    pub create: String,
}

/// Drops the secondary indexes of `tables` (generated names only) and returns their
/// definitions: a load into tables without them, then one sorted build of each
/// ([`create_indexes`]), is several times faster than keeping every index up to date row by
/// row. Primary keys and indexes behind constraints stay.
pub async fn drop_indexes(e: Exec<'_>, tables: &[&str]) -> Result<Vec<IndexDefinition>> {
    let mut e = e;
    let list = tables.iter().map(|t| lit(t)).collect::<Vec<_>>().join(",");
    let sqlite = matches!(e, Exec::SqlitePool(_) | Exec::Sqlite(_));
    let sql = if sqlite {
        format!("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({list})")
    } else {
        format!(
            "SELECT indexname::text, indexdef::text FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename IN ({list}) AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
    };
    let sql = sqlx::AssertSqlSafe(sql);
    let rows: Vec<(String, String)> =
        exec!(e.reborrow(), x => sqlx::query_as::<_, (String, String)>(sql).fetch_all(x).await)?;
    let mut out = Vec::with_capacity(rows.len());
    for (name, create) in rows {
        run(e.reborrow(), format!("DROP INDEX {name}")).await?;
        out.push(IndexDefinition { name, create });
    }
    Ok(out)
}

/// Builds the indexes [`drop_indexes`] set aside.
pub async fn create_indexes(e: Exec<'_>, indexes: &[IndexDefinition]) -> Result<()> {
    let mut e = e;
    for index in indexes {
        run(e.reborrow(), index.create.clone()).await?;
    }
    Ok(())
}
