//! Notifications: created through one function that refuses anything from an account the
//! recipient blocks or mutes, from a silenced server's account the recipient does not follow,
//! or about a post the recipient may not see.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::Status;
use canteen_store::notifications::{self as store, NotificationRecord};
use canteen_store::statuses::Page;
use canteen_store::{Exec, accounts, relationships, statuses};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::events::Event;
use crate::viewer::Viewer;
use crate::views::{self, StatusView};
use crate::{App, AppError, Result};

pub const TYPES: &[&str] = &["mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update"];

/// Records a notification for `recipient`, unless the rules say it must not exist.
/// Returns the event to publish once the caller's transaction has committed.
pub async fn notify(
    app: &App,
    e: Exec<'_>,
    recipient: Id,
    from: Id,
    kind: &str,
    status: Option<&Status>,
) -> Result<Option<Event>> {
    if recipient == from {
        return Ok(None);
    }
    let mut e = e;
    let Some(rcpt) = accounts::by_id(e.reborrow(), recipient).await? else {
        return Ok(None);
    };
    if rcpt.domain.is_some() || rcpt.suspended_at.is_some() {
        return Ok(None);
    }
    if relationships::is_blocking(e.reborrow(), recipient, from).await?
        || relationships::is_blocking(e.reborrow(), from, recipient).await?
    {
        return Ok(None);
    }
    let muted = relationships::muted(e.reborrow(), recipient, now_ms()).await?;
    if muted.iter().any(|(id, notifications)| *id == from && *notifications) {
        return Ok(None);
    }
    // A silenced server's people reach only those who follow them (as Mastodon filters it).
    if let Some(sender) = accounts::by_id(e.reborrow(), from).await?
        && let Some(domain) = sender.domain.as_deref()
        && canteen_store::domains::block_for(e.reborrow(), &domain.to_ascii_lowercase())
            .await?
            .is_some_and(|b| b.severity == "silence")
        && !relationships::is_following(e.reborrow(), recipient, from).await?
    {
        return Ok(None);
    }
    if let Some(s) = status
        && kind != "poll"
        && crate::extras::conversation_muted(app, recipient, s.id).await?
    {
        return Ok(None);
    }
    if let Some(s) = status {
        // Read on the writer's connection: the post may not be committed for readers yet.
        let viewer = Viewer::load_on(e.reborrow(), &rcpt).await?;
        let mentioned: Vec<Id> =
            statuses::mentions_of(e.reborrow(), &[s.id]).await?.into_iter().map(|(_, a)| Id(a)).collect();
        if !viewer.may_see(s, &mentioned, false) {
            return Ok(None);
        }
    }
    let id = app.next_id().0;
    store::insert(
        e,
        &NotificationRecord {
            id,
            account_id: recipient.0,
            from_account_id: from.0,
            kind: kind.to_string(),
            status_id: status.map(|s| s.id.0),
            created_at: now_ms(),
        },
    )
    .await?;
    Ok(Some(Event::Notification { account: recipient, id }))
}

/// A notification to an account about its own post (a poll it ran has ended).
pub async fn notify_self(app: &App, e: Exec<'_>, account: Id, kind: &str, status: &Status) -> Result<Option<Event>> {
    let id = app.next_id().0;
    store::insert(
        e,
        &NotificationRecord {
            id,
            account_id: account.0,
            from_account_id: account.0,
            kind: kind.to_string(),
            status_id: Some(status.id.0),
            created_at: now_ms(),
        },
    )
    .await?;
    Ok(Some(Event::Notification { account, id }))
}

/// Publishes events collected during a transaction, after it has committed.
pub fn publish(app: &App, events: impl IntoIterator<Item = Option<Event>>) {
    for e in events.into_iter().flatten() {
        app.events.publish(e);
    }
}

#[derive(Debug, Clone)]
pub struct NotificationView {
    pub id: i64,
    pub kind: String,
    pub created_at: i64,
    pub account: Account,
    pub status: Option<StatusView>,
}

/// Filters for listing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    pub account_id: Option<Id>,
}

/// A page of the caller's notifications. Checked again at read time: a notification about
/// a post that has since become invisible (a block, a deleted follow) is not shown.
pub async fn list(app: &App, auth: &Auth, page: Page, filter: &Filter) -> Result<Vec<NotificationView>> {
    let (_, me) = auth.signed_in()?;
    let viewer = Viewer::load(app, Some(me)).await?;
    let mut out = Vec::new();
    let mut cursor = page;
    // Filtering may drop rows; read on until the page is full or the rows run out.
    for _ in 0..10 {
        let rows = store::page(app.store.reader(), me.id, Page { limit: page.limit * 2, ..cursor }).await?;
        let exhausted = (rows.len() as i64) < page.limit * 2;
        let last = rows.last().map(|r| r.id);
        for r in rows {
            if (!filter.types.is_empty() && !filter.types.contains(&r.kind)) || filter.exclude_types.contains(&r.kind) {
                continue;
            }
            if filter.account_id.is_some_and(|a| a.0 != r.from_account_id) {
                continue;
            }
            if let Some(v) = view(app, &viewer, r).await? {
                out.push(v);
            }
            if out.len() as i64 >= page.limit {
                break;
            }
        }
        if out.len() as i64 >= page.limit {
            break;
        }
        match last {
            Some(id) if !exhausted => {
                if cursor.min_id.is_some() {
                    cursor.min_id = Some(id);
                } else {
                    cursor.max_id = Some(id);
                }
            }
            _ => break,
        }
    }
    // Read upwards from `min_id`, the page is still returned newest first, as in Mastodon.
    if page.min_id.is_some() {
        out.reverse();
    }
    Ok(out)
}

async fn view(app: &App, viewer: &Viewer, r: NotificationRecord) -> Result<Option<NotificationView>> {
    let from = Id(r.from_account_id);
    if viewer.blocks_or_blocked_by(from) || viewer.mutes_notifications_from(from) {
        return Ok(None);
    }
    let Some(account) = accounts::by_id(app.store.reader(), from).await? else {
        return Ok(None);
    };
    if account.suspended_at.is_some() {
        return Ok(None);
    }
    let status = match r.status_id {
        Some(sid) => match views::one(app, viewer, Id(sid)).await? {
            Some(v) => Some(v),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(NotificationView { id: r.id, kind: r.kind, created_at: r.created_at, account, status }))
}

pub async fn get(app: &App, auth: &Auth, id: i64) -> Result<NotificationView> {
    let (_, me) = auth.signed_in()?;
    let viewer = Viewer::load(app, Some(me)).await?;
    let missing = || AppError::NotFound("Record not found".into());
    let r = store::by_id(app.store.reader(), me.id, id).await?.ok_or_else(missing)?;
    view(app, &viewer, r).await?.ok_or_else(missing)
}

pub async fn dismiss(app: &App, auth: &Auth, id: i64) -> Result<()> {
    let (_, me) = auth.signed_in()?;
    store::dismiss(app.store.writer(), me.id, id).await?;
    Ok(())
}

pub async fn clear(app: &App, auth: &Auth) -> Result<()> {
    let (_, me) = auth.signed_in()?;
    store::clear(app.store.writer(), me.id).await?;
    Ok(())
}
