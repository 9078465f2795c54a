//! Logins: email, password hash, role, confirmation and approval.

use canteen_domain::Id;
use canteen_domain::account::{Role, User};

use crate::db::{Exec, exec};
use crate::error::{Result, StoreError};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    email: String,
    password_hash: String,
    role: String,
    confirmed: bool,
    approved: bool,
    locale: Option<String>,
    created_at: i64,
}

impl TryFrom<Row> for User {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<User> {
        Ok(User {
            id: Id(r.id),
            role: Role::parse(&r.role).ok_or_else(|| StoreError::Corrupt(format!("role `{}`", r.role)))?,
            email: r.email,
            password_hash: r.password_hash,
            confirmed: r.confirmed,
            approved: r.approved,
            locale: r.locale,
            created_at: r.created_at,
        })
    }
}

macro_rules! select {
    ($where:literal) => {
        concat!("SELECT id, email, password_hash, role, confirmed, approved, locale, created_at FROM users ", $where)
    };
}

pub async fn insert(e: Exec<'_>, u: &User, reason: Option<&str>) -> Result<()> {
    const SQL: &str = "INSERT INTO users (id, email, password_hash, role, confirmed, approved, locale, \
        registration_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";
    exec!(e, x => sqlx::query(SQL).bind(u.id.0).bind(&u.email).bind(&u.password_hash).bind(u.role.as_str())
        .bind(u.confirmed).bind(u.approved).bind(&u.locale).bind(reason).bind(u.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<User>> {
    const SQL: &str = select!("WHERE id = $1");
    let row: Option<Row> = exec!(e, x => sqlx::query_as::<_, Row>(SQL).bind(id.0).fetch_optional(x).await)?;
    row.map(User::try_from).transpose()
}

/// By email, ignoring case.
pub async fn by_email(e: Exec<'_>, email: &str) -> Result<Option<User>> {
    const SQL: &str = select!("WHERE lower(email) = lower($1)");
    let row: Option<Row> = exec!(e, x => sqlx::query_as::<_, Row>(SQL).bind(email).fetch_optional(x).await)?;
    row.map(User::try_from).transpose()
}

pub async fn set_role(e: Exec<'_>, id: Id, role: Role, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET role = $2, updated_at = $3 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(id.0).bind(role.as_str()).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_approved(e: Exec<'_>, id: Id, approved: bool, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET approved = $2, updated_at = $3 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(id.0).bind(approved).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_password_hash(e: Exec<'_>, id: Id, password_hash: &str, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(id.0).bind(password_hash).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A sign-up waiting for an admin's approval, with the profile it made.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingSignUp {
    pub user_id: i64,
    pub email: String,
    pub username: String,
    pub reason: Option<String>,
    pub created_at: i64,
}

/// Sign-ups not yet approved, oldest first.
pub async fn awaiting_approval(e: Exec<'_>, limit: i64) -> Result<Vec<PendingSignUp>> {
    const SQL: &str = "SELECT u.id AS user_id, u.email, a.username, u.registration_reason AS reason, u.created_at \
        FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.approved = $1 ORDER BY u.created_at, a.id LIMIT $2";
    Ok(exec!(e, x => sqlx::query_as::<_, PendingSignUp>(SQL).bind(false).bind(limit).fetch_all(x).await)?)
}

/// The profiles of logins with a role above `user` (moderators and admins), by username.
pub async fn staff(e: Exec<'_>) -> Result<Vec<(String, String)>> {
    const SQL: &str = "SELECT a.username, u.role FROM users u JOIN accounts a ON a.user_id = u.id \
        WHERE u.role <> 'user' ORDER BY a.username";
    Ok(exec!(e, x => sqlx::query_as::<_, (String, String)>(SQL).fetch_all(x).await)?)
}

/// How many logins have `role`.
pub async fn count_with_role(e: Exec<'_>, role: Role) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM users WHERE role = $1";
    let (n,): (i64,) = exec!(e, x => sqlx::query_as(SQL).bind(role.as_str()).fetch_one(x).await)?;
    Ok(n)
}

/// Closes a login whose last profile was deleted: no password works, and its email address
/// is free to sign up again.
pub async fn close(e: Exec<'_>, id: Id, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET email = $2, password_hash = '', updated_at = $3 WHERE id = $1";
    let placeholder = format!("deleted-{}@deleted.invalid", id.0);
    exec!(e, x => sqlx::query(SQL).bind(id.0).bind(placeholder).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
