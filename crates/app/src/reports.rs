//! Reports to the moderators: someone says an account (and perhaps some of its posts) breaks
//! the rules. From the API (`POST /api/v1/reports`), forwarded to the account's own server as
//! an ActivityPub `Flag` when asked (from the server's instance actor, so the reporter stays
//! anonymous there); and from other servers' `Flag`s about people here. Admins see the open
//! ones and mark them dealt with.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::validation::Invalid;
use canteen_store::reports::{self as store, ReportRecord};
use canteen_store::{accounts, rules, statuses};
use serde_json::json;

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// Mastodon's report categories.
pub const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];
/// Longest comment, as Mastodon allows.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Most posts one report may name.
const MAX_POSTS: usize = 20;

/// What someone reports.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub account_id: Id,
    pub status_ids: Vec<Id>,
    pub comment: String,
    /// One of `CATEGORIES`; `violation` when rules are named, else `other`, when not given.
    pub category: Option<String>,
    pub rule_ids: Vec<i64>,
    /// Send it on to the account's server (only for remote accounts).
    pub forward: bool,
}

/// A report with the accounts it names.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub record: ReportRecord,
    pub reporter: Account,
    pub target: Account,
    pub status_ids: Vec<Id>,
    pub rule_ids: Vec<i64>,
}

fn ids_of(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

async fn view(app: &App, record: ReportRecord) -> Result<ReportView> {
    let found = accounts::by_ids(app.store.reader(), &[Id(record.account_id), Id(record.target_account_id)]).await?;
    let pick = |id: i64| found.iter().find(|a| a.id.0 == id).cloned();
    let (Some(reporter), Some(target)) = (pick(record.account_id), pick(record.target_account_id)) else {
        return Err(AppError::Internal(format!("report {} names an account that is gone", record.id)));
    };
    let status_ids = ids_of(&record.status_ids).into_iter().map(Id).collect();
    let rule_ids = ids_of(&record.rule_ids);
    Ok(ReportView { record, reporter, target, status_ids, rule_ids })
}

/// Files a report as the caller. Every problem is reported at once; posts must be the
/// reported account's and visible to the caller (one that is not is not found).
pub async fn create(app: &App, auth: &Auth, new: NewReport) -> Result<ReportView> {
    let (_, me) = auth.signed_in()?;
    let target = accounts::by_id(app.store.reader(), new.account_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Record not found".into()))?;
    if target.id == me.id {
        return Err(AppError::Unprocessable("You cannot report yourself".into()));
    }
    let mut problems = Vec::new();
    if new.comment.chars().count() > MAX_COMMENT_CHARS {
        problems.push(Invalid::new(
            "comment",
            "ERR_TOO_LONG",
            format!("Comment is too long (maximum is {MAX_COMMENT_CHARS} characters)"),
        ));
    }
    let category =
        new.category.clone().unwrap_or_else(|| if new.rule_ids.is_empty() { "other" } else { "violation" }.into());
    if !CATEGORIES.contains(&category.as_str()) {
        problems.push(Invalid::new(
            "category",
            "ERR_INCLUSION",
            format!("Category must be one of: {}", CATEGORIES.join(", ")),
        ));
    }
    let known_rules: Vec<i64> = rules::list(app.store.reader()).await?.iter().map(|r| r.id).collect();
    if new.rule_ids.iter().any(|r| !known_rules.contains(r)) {
        problems.push(Invalid::new("rule_ids", "ERR_INVALID", "Rule ids must be this server's rules"));
    } else if !new.rule_ids.is_empty() && category != "violation" {
        problems.push(Invalid::new("rule_ids", "ERR_INVALID", "Rules can only be given with the category violation"));
    }
    if new.status_ids.len() > MAX_POSTS {
        problems.push(Invalid::new(
            "status_ids",
            "ERR_TOO_LONG",
            format!("A report can name at most {MAX_POSTS} posts"),
        ));
    }
    let mut posts = Vec::new();
    for id in new.status_ids.iter().take(MAX_POSTS) {
        // A post the reporter may not see is answered as missing.
        let post = crate::statuses::get(app, Some(auth), *id).await?;
        if post.account.id != target.id {
            problems.push(Invalid::new("status_ids", "ERR_INVALID", "Posts must be by the reported account"));
            break;
        }
        posts.push(post.status);
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let forwarded = new.forward && !target.is_local();
    let mut status_ids: Vec<i64> = posts.iter().map(|s| s.id.0).collect();
    status_ids.dedup();
    let record = ReportRecord {
        id: app.next_id().0,
        account_id: me.id.0,
        target_account_id: target.id.0,
        status_ids: json!(status_ids).to_string(),
        rule_ids: json!(new.rule_ids).to_string(),
        comment: new.comment.trim().to_string(),
        category,
        forwarded,
        uri: None,
        created_at: now_ms(),
        action_taken_at: None,
        action_taken_by_account_id: None,
    };
    let mut tx = app.store.begin().await?;
    store::insert(tx.exec(), &record).await?;
    if forwarded {
        let uris: Vec<String> = posts.iter().map(|s| s.uri.clone()).collect();
        crate::federation::outbox::flag(app, tx.exec(), &target, &uris, &record).await?;
    }
    tx.commit().await?;
    view(app, record).await
}

/// Stores another server's `Flag` about people here: `objects` are the ids it names (actors
/// and posts), `reporter` the remote account that sent it. Returns whether a report was made
/// (false when it names nobody here, or repeats one already stored).
pub async fn receive_flag(
    app: &App,
    reporter: Id,
    flag_uri: Option<&str>,
    objects: &[String],
    comment: &str,
) -> Result<bool> {
    let mut target: Option<Account> = None;
    let mut posts: Vec<(Id, Id)> = Vec::new();
    for uri in objects {
        if !crate::federation::is_local_uri(&app.config, uri) {
            continue;
        }
        if let Some(name) = crate::federation::local_username(&app.config, uri)
            && let Some(a) = accounts::by_local_username(app.store.reader(), name).await?
            && target.is_none()
        {
            target = Some(a);
        } else if let Some(s) = statuses::by_uri(app.store.reader(), uri).await? {
            posts.push((s.id, s.account_id));
        }
    }
    // A Flag naming only posts reports their author.
    let target = match target {
        Some(t) => t,
        None => match posts.first() {
            Some((_, author)) => match accounts::by_id(app.store.reader(), *author).await? {
                Some(a) => a,
                None => return Ok(false),
            },
            None => return Ok(false),
        },
    };
    let status_ids: Vec<i64> = posts.iter().filter(|(_, a)| *a == target.id).map(|(s, _)| s.0).collect();
    let comment: String = comment.chars().take(MAX_COMMENT_CHARS).collect();
    let record = ReportRecord {
        id: app.next_id().0,
        account_id: reporter.0,
        target_account_id: target.id.0,
        status_ids: json!(status_ids).to_string(),
        rule_ids: "[]".into(),
        comment: comment.trim().to_string(),
        category: "other".into(),
        forwarded: true,
        uri: flag_uri.map(str::to_string),
        created_at: now_ms(),
        action_taken_at: None,
        action_taken_by_account_id: None,
    };
    Ok(store::insert(app.store.writer(), &record).await?)
}

/// Open reports, oldest first (admins only).
pub async fn open_as(app: &App, auth: &Auth) -> Result<Vec<ReportView>> {
    crate::admin::require_admin(auth)?;
    let mut out = Vec::new();
    for r in store::open(app.store.reader(), 100).await? {
        out.push(view(app, r).await?);
    }
    Ok(out)
}

/// Marks a report dealt with (admins only); not found if it is not open.
pub async fn resolve_as(app: &App, auth: &Auth, id: i64) -> Result<()> {
    crate::admin::require_admin(auth)?;
    let (_, me) = auth.signed_in()?;
    if !store::resolve(app.store.writer(), id, me.id, now_ms()).await? {
        return Err(AppError::NotFound("Record not found".into()));
    }
    Ok(())
}
