//! Lists: reading lists for a timeline, and circles — a list is also the audience of a
//! `circle:<list id>` post.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::validation::Invalid;
use canteen_store::lists as store;
pub use canteen_store::lists::ListRecord;
use canteen_store::{accounts, relationships as rel};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

pub const MAX_LISTS: usize = 50;

fn not_found() -> AppError {
    AppError::NotFound("Record not found".into())
}

fn check(title: &str, replies_policy: &str) -> Result<()> {
    let mut problems = Vec::new();
    if title.trim().is_empty() {
        problems.push(Invalid::new("title", "ERR_BLANK", "Title can't be blank"));
    }
    if title.chars().count() > 100 {
        problems.push(Invalid::new("title", "ERR_TOO_LONG", "Title is too long (maximum is 100 characters)"));
    }
    if !matches!(replies_policy, "followed" | "list" | "none") {
        problems.push(Invalid::new(
            "replies_policy",
            "ERR_INCLUSION",
            format!("`{replies_policy}` is not one of: followed, list, none"),
        ));
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

pub async fn list(app: &App, auth: &Auth) -> Result<Vec<ListRecord>> {
    let (_, me) = auth.signed_in()?;
    Ok(store::by_owner(app.store.reader(), me.id).await?)
}

/// One of the caller's lists (another's is answered like a missing one).
pub async fn own(app: &App, auth: &Auth, id: Id) -> Result<ListRecord> {
    let (_, me) = auth.signed_in()?;
    match store::by_id(app.store.reader(), id).await? {
        Some(l) if l.account_id == me.id.0 => Ok(l),
        _ => Err(not_found()),
    }
}

pub async fn create(
    app: &App,
    auth: &Auth,
    title: &str,
    replies_policy: Option<&str>,
    exclusive: bool,
) -> Result<ListRecord> {
    let (_, me) = auth.signed_in()?;
    let policy = replies_policy.unwrap_or("list");
    check(title, policy)?;
    if store::by_owner(app.store.reader(), me.id).await?.len() >= MAX_LISTS {
        return Err(AppError::Unprocessable(format!("You can have at most {MAX_LISTS} lists")));
    }
    let l = ListRecord {
        id: app.next_id().0,
        account_id: me.id.0,
        title: title.trim().into(),
        replies_policy: policy.into(),
        exclusive,
    };
    store::insert(app.store.writer(), &l, now_ms()).await?;
    Ok(l)
}

pub async fn update(
    app: &App,
    auth: &Auth,
    id: Id,
    title: Option<&str>,
    replies_policy: Option<&str>,
    exclusive: Option<bool>,
) -> Result<ListRecord> {
    let mut l = own(app, auth, id).await?;
    if let Some(t) = title {
        l.title = t.trim().to_string();
    }
    if let Some(p) = replies_policy {
        l.replies_policy = p.to_string();
    }
    let exclusive_changed = exclusive.is_some_and(|x| x != l.exclusive);
    if let Some(x) = exclusive {
        l.exclusive = x;
    }
    check(&l.title, &l.replies_policy)?;
    store::update(app.store.writer(), &l).await?;
    if exclusive_changed {
        // Whose home streams the members' posts reach has changed (`live`).
        app.relations_changed();
    }
    Ok(l)
}

pub async fn delete(app: &App, auth: &Auth, id: Id) -> Result<()> {
    own(app, auth, id).await?;
    store::delete(app.store.writer(), id).await?;
    app.relations_changed();
    Ok(())
}

pub async fn members(app: &App, auth: &Auth, id: Id) -> Result<Vec<Account>> {
    own(app, auth, id).await?;
    let ids = rel::list_members(app.store.reader(), id).await?;
    Ok(accounts::by_ids(app.store.reader(), &ids).await?.into_iter().filter(|a| a.suspended_at.is_none()).collect())
}

/// Adds members. As in Mastodon, only accounts the owner follows may be added, so a list
/// (and a circle) is always a subset of one's own network.
pub async fn add(app: &App, auth: &Auth, id: Id, members: &[Id]) -> Result<()> {
    let (_, me) = auth.signed_in()?;
    own(app, auth, id).await?;
    for m in members {
        if !rel::is_following(app.store.reader(), me.id, *m).await? {
            return Err(AppError::NotFound(format!("Account {m} is not one you follow")));
        }
    }
    let mut tx = app.store.begin().await?;
    for m in members {
        store::add_member(tx.exec(), id, *m).await?;
    }
    tx.commit().await?;
    app.relations_changed();
    Ok(())
}

pub async fn remove(app: &App, auth: &Auth, id: Id, members: &[Id]) -> Result<()> {
    own(app, auth, id).await?;
    let mut tx = app.store.begin().await?;
    for m in members {
        store::remove_member(tx.exec(), id, *m).await?;
    }
    tx.commit().await?;
    app.relations_changed();
    Ok(())
}
