//! Server-level moderation: domain blocks and the limited-federation allow-list.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DomainBlock {
    pub id: i64,
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub private_comment: String,
    pub public_comment: String,
    pub created_at: i64,
}

const BLOCK_COLUMNS: &str = "id, domain, severity, reject_media, private_comment, public_comment, created_at";

pub async fn blocks(e: Exec<'_>) -> Result<Vec<DomainBlock>> {
    let sql = format!("SELECT {BLOCK_COLUMNS} FROM domain_blocks ORDER BY domain");
    Ok(exec!(e, x => sqlx::query_as::<_, DomainBlock>(sqlx::AssertSqlSafe(sql.clone())).fetch_all(x).await)?)
}

pub async fn block_by_id(e: Exec<'_>, id: Id) -> Result<Option<DomainBlock>> {
    let sql = format!("SELECT {BLOCK_COLUMNS} FROM domain_blocks WHERE id = $1");
    Ok(
        exec!(e, x => sqlx::query_as::<_, DomainBlock>(sqlx::AssertSqlSafe(sql.clone())).bind(id.0).fetch_optional(x).await)?,
    )
}

/// The block on `domain` itself or on any domain it is a subdomain of (blocking
/// `example.com` blocks `social.example.com`), the most specific first.
pub async fn block_for(e: Exec<'_>, domain: &str) -> Result<Option<DomainBlock>> {
    let candidates = parents(domain);
    let sql = format!(
        "SELECT {BLOCK_COLUMNS} FROM domain_blocks WHERE domain IN ({}) ORDER BY length(domain) DESC LIMIT 1",
        placeholders(candidates.len())
    );
    exec!(e, x => {
        let mut q = sqlx::query_as::<_, DomainBlock>(sqlx::AssertSqlSafe(sql.clone()));
        for c in &candidates {
            q = q.bind(c);
        }
        q.fetch_optional(x).await
    })
    .map_err(Into::into)
}

/// `$1, $2, … $n`: the candidates are bound, never written into the SQL.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `a.b.example.com` → itself, `b.example.com`, `example.com` (a port stays with the full name).
fn parents(domain: &str) -> Vec<String> {
    let domain = domain.to_ascii_lowercase();
    let mut out = vec![domain.clone()];
    let host = domain.split(':').next().unwrap_or(&domain).to_string();
    if host != domain {
        out.push(host.clone());
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return out;
    }
    let mut rest = host.as_str();
    while let Some((_, parent)) = rest.split_once('.') {
        if parent.contains('.') {
            out.push(parent.to_string());
        }
        rest = parent;
    }
    out
}

/// Creates a block, or changes one (by id).
pub async fn put_block(e: Exec<'_>, b: &DomainBlock) -> Result<()> {
    const SQL: &str = "INSERT INTO domain_blocks \
        (id, domain, severity, reject_media, private_comment, public_comment, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET severity = $3, reject_media = $4, \
        private_comment = $5, public_comment = $6";
    exec!(e, x => sqlx::query(SQL).bind(b.id).bind(&b.domain).bind(&b.severity).bind(b.reject_media)
        .bind(&b.private_comment).bind(&b.public_comment).bind(b.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn block_by_domain(e: Exec<'_>, domain: &str) -> Result<Option<DomainBlock>> {
    let sql = format!("SELECT {BLOCK_COLUMNS} FROM domain_blocks WHERE domain = $1");
    Ok(
        exec!(e, x => sqlx::query_as::<_, DomainBlock>(sqlx::AssertSqlSafe(sql.clone())).bind(domain).fetch_optional(x).await)?,
    )
}

pub async fn delete_block(e: Exec<'_>, id: Id) -> Result<bool> {
    Ok(exec!(e, x => sqlx::query("DELETE FROM domain_blocks WHERE id = $1").bind(id.0).execute(x).await
        .map(|r| r.rows_affected()))?
        > 0)
}

/// Suspends (or with `None` reinstates) every account of a domain and its subdomains.
pub async fn set_domain_suspended(e: Exec<'_>, domain: &str, at: Option<i64>) -> Result<u64> {
    const SQL: &str = "UPDATE accounts SET suspended_at = $2 WHERE domain IS NOT NULL \
        AND (lower(domain) = $1 OR lower(domain) LIKE $3 OR lower(domain) LIKE $4)";
    let (sub, port) = (format!("%.{domain}"), format!("{domain}:%"));
    Ok(exec!(e, x => sqlx::query(SQL).bind(domain).bind(at).bind(sub).bind(port).execute(x).await
        .map(|r| r.rows_affected()))?)
}

/// Drops every follow and request between local accounts and a domain's accounts (a
/// suspended server's relationships end, as on Mastodon).
pub async fn sever_domain(mut e: Exec<'_>, domain: &str) -> Result<()> {
    let (sub, port) = (format!("%.{domain}"), format!("{domain}:%"));
    for table in ["follows", "follow_requests"] {
        let sql = format!(
            "DELETE FROM {table} WHERE account_id IN (SELECT id FROM accounts WHERE domain IS NOT NULL \
             AND (lower(domain) = $1 OR lower(domain) LIKE $2 OR lower(domain) LIKE $3)) \
             OR target_account_id IN (SELECT id FROM accounts WHERE domain IS NOT NULL \
             AND (lower(domain) = $1 OR lower(domain) LIKE $2 OR lower(domain) LIKE $3))"
        );
        exec!(e.reborrow(), x => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(domain).bind(&sub).bind(&port).execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DomainAllow {
    pub id: i64,
    pub domain: String,
    pub created_at: i64,
}

pub async fn allows(e: Exec<'_>) -> Result<Vec<DomainAllow>> {
    const SQL: &str = "SELECT id, domain, created_at FROM domain_allows ORDER BY domain";
    Ok(exec!(e, x => sqlx::query_as::<_, DomainAllow>(SQL).fetch_all(x).await)?)
}

pub async fn put_allow(e: Exec<'_>, a: &DomainAllow) -> Result<()> {
    const SQL: &str =
        "INSERT INTO domain_allows (id, domain, created_at) VALUES ($1, $2, $3) ON CONFLICT (domain) DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(a.id).bind(&a.domain).bind(a.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_allow(e: Exec<'_>, id: Id) -> Result<bool> {
    Ok(exec!(e, x => sqlx::query("DELETE FROM domain_allows WHERE id = $1").bind(id.0).execute(x).await
        .map(|r| r.rows_affected()))?
        > 0)
}

/// Whether `domain` (or a domain it is a subdomain of) is on the allow-list.
pub async fn is_allowed(e: Exec<'_>, domain: &str) -> Result<bool> {
    let candidates = parents(domain);
    let sql = format!("SELECT count(*) FROM domain_allows WHERE domain IN ({})", placeholders(candidates.len()));
    let n: i64 = exec!(e, x => {
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()));
        for c in &candidates {
            q = q.bind(c);
        }
        q.fetch_one(x).await
    })?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parents_walk_up_to_the_registrable_name() {
        assert_eq!(super::parents("a.b.Example.com"), ["a.b.example.com", "b.example.com", "example.com"]);
        assert_eq!(super::parents("127.0.0.1:8080"), ["127.0.0.1:8080", "127.0.0.1"]);
        assert_eq!(super::parents("example.com"), ["example.com"]);
    }
}
