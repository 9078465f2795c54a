//! Polls: created with a post, voted on by those who may see the post, closed by a job that
//! tells voters (and the author) the results. Polls on other servers' posts arrive with them
//! (a `Question`) and keep the counts their server sends; a vote on one is sent there, and
//! other servers' people vote on ours the same way (a `Note` naming the option).

use std::collections::HashSet;

use canteen_domain::Id;
use canteen_domain::validation::Invalid;
use canteen_store::polls::{self as store, PollRecord};
use canteen_store::{Exec, statuses};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::viewer::Viewer;
use crate::{App, AppError, Result, jobs, views};

pub const EXPIRE_JOB: &str = "poll.expire";
pub const MAX_OPTION_CHARS: usize = 50;
pub const MIN_EXPIRY_SECS: i64 = 300;
pub const MAX_EXPIRY_SECS: i64 = 2_629_746;

#[derive(Debug, Clone, Default)]
pub struct NewPoll {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

pub fn validate(app: &App, p: &NewPoll) -> Result<()> {
    let mut problems = Vec::new();
    let n = p.options.len();
    let max = app.config.poll_max_options.max(2);
    if !(2..=max).contains(&n) {
        problems.push(Invalid::new("poll[options]", "ERR_INVALID", format!("A poll needs 2 to {max} options")));
    }
    for o in &p.options {
        if o.trim().is_empty() {
            problems.push(Invalid::new("poll[options]", "ERR_BLANK", "Poll options can't be blank"));
        } else if o.chars().count() > MAX_OPTION_CHARS {
            problems.push(Invalid::new(
                "poll[options]",
                "ERR_TOO_LONG",
                format!("Poll options are at most {MAX_OPTION_CHARS} characters"),
            ));
        }
    }
    let distinct: HashSet<&str> = p.options.iter().map(|o| o.trim()).collect();
    if distinct.len() != n {
        problems.push(Invalid::new("poll[options]", "ERR_TAKEN", "Poll options must differ"));
    }
    if !(MIN_EXPIRY_SECS..=MAX_EXPIRY_SECS).contains(&p.expires_in) {
        problems.push(Invalid::new(
            "poll[expires_in]",
            "ERR_INVALID",
            format!("A poll runs for {MIN_EXPIRY_SECS} seconds to {MAX_EXPIRY_SECS} seconds (a month)"),
        ));
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

/// Stores a poll for a new post and schedules its closing (inside the post's transaction).
pub async fn insert(app: &App, e: Exec<'_>, status: Id, author: Id, p: &NewPoll, options: &[String]) -> Result<Id> {
    let mut e = e;
    let now = now_ms();
    let id = app.next_id();
    let expires_at = now + p.expires_in * 1000;
    let rec = PollRecord {
        id: id.0,
        status_id: status.0,
        account_id: author.0,
        options: serde_json::to_string(options).map_err(|e| AppError::Internal(e.to_string()))?,
        multiple: p.multiple,
        hide_totals: p.hide_totals,
        expires_at,
        created_at: now,
        remote_counts: None,
        remote_voters_count: None,
    };
    store::insert(e.reborrow(), &rec).await?;
    jobs::enqueue(app, e, EXPIRE_JOB, &id.to_string(), p.expires_in * 1000).await?;
    Ok(id)
}

/// A poll as one viewer sees it.
#[derive(Debug, Clone)]
pub struct PollView {
    pub id: Id,
    pub expires_at: i64,
    pub expired: bool,
    pub multiple: bool,
    pub titles: Vec<String>,
    /// Per option; `None` while totals are hidden.
    pub counts: Option<Vec<i64>>,
    pub votes_count: i64,
    pub voters_count: i64,
    pub voted: bool,
    pub own_votes: Vec<i64>,
}

pub async fn view_of(app: &App, rec: &PollRecord, viewer: Option<Id>) -> Result<PollView> {
    let titles: Vec<String> = serde_json::from_str(&rec.options).map_err(|e| AppError::Internal(e.to_string()))?;
    let votes = store::votes(app.store.reader(), Id(rec.id)).await?;
    let mut counts = vec![0i64; titles.len()];
    for (_, c) in &votes {
        if let Some(slot) = counts.get_mut(*c as usize) {
            *slot += 1;
        }
    }
    let mut voters_count = votes.iter().map(|(a, _)| *a).collect::<HashSet<i64>>().len() as i64;
    // A remote poll's counts are its server's (which include the votes sent from here once
    // they arrive there).
    if let Some(remote) = rec.remote_counts.as_deref() {
        let sent: Vec<i64> = serde_json::from_str(remote).unwrap_or_default();
        counts = (0..titles.len()).map(|i| sent.get(i).copied().unwrap_or(0)).collect();
        voters_count = rec.remote_voters_count.unwrap_or_else(|| counts.iter().sum());
    }
    let own_votes: Vec<i64> = votes.iter().filter(|(a, _)| Some(Id(*a)) == viewer).map(|(_, c)| *c).collect();
    let expired = rec.expires_at <= now_ms();
    let show = !rec.hide_totals || expired || viewer == Some(Id(rec.account_id));
    Ok(PollView {
        id: Id(rec.id),
        expires_at: rec.expires_at,
        expired,
        multiple: rec.multiple,
        votes_count: counts.iter().sum(),
        counts: show.then_some(counts),
        voters_count,
        voted: !own_votes.is_empty() || viewer == Some(Id(rec.account_id)),
        own_votes,
        titles,
    })
}

/// The poll, if its post is one the caller may see.
async fn visible(app: &App, auth: Option<&Auth>, id: Id) -> Result<(PollRecord, Viewer)> {
    let missing = || AppError::NotFound("Record not found".into());
    let rec = store::by_id(app.store.reader(), id).await?.ok_or_else(missing)?;
    let viewer = Viewer::load(app, auth.and_then(|a| a.account.as_ref())).await?;
    views::one(app, &viewer, Id(rec.status_id)).await?.ok_or_else(missing)?;
    Ok((rec, viewer))
}

pub async fn get(app: &App, auth: Option<&Auth>, id: Id) -> Result<PollView> {
    let (rec, viewer) = visible(app, auth, id).await?;
    view_of(app, &rec, viewer.account_id).await
}

pub async fn vote(app: &App, auth: &Auth, id: Id, choices: &[i64]) -> Result<PollView> {
    let (_, me) = auth.signed_in()?;
    let (rec, _) = visible(app, Some(auth), id).await?;
    let v = view_of(app, &rec, Some(me.id)).await?;
    let refuse = |m: &str| Err(AppError::Unprocessable(m.to_string()));
    if v.expired {
        return refuse("The poll has already ended");
    }
    if rec.account_id == me.id.0 {
        return refuse("You cannot vote in your own poll");
    }
    if !v.own_votes.is_empty() {
        return refuse("You have already voted in this poll");
    }
    let mut distinct: Vec<i64> = choices.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.is_empty() || distinct.iter().any(|c| *c < 0 || *c as usize >= v.titles.len()) {
        return Err(AppError::invalid(Invalid::new(
            "choices",
            "ERR_INVALID",
            format!("Choices must be option numbers from 0 to {}", v.titles.len() - 1),
        )));
    }
    if distinct.len() > 1 && !rec.multiple {
        return refuse("This poll takes one choice");
    }
    // Check and vote in one transaction, the poll locked, so two quick votes cannot both count.
    let mut tx = app.store.begin().await?;
    store::lock(tx.exec(), id).await?;
    if store::has_voted(tx.exec(), id, me.id).await? {
        return refuse("You have already voted in this poll");
    }
    store::vote(tx.exec(), id, me.id, &distinct, now_ms()).await?;
    // A poll from another server counts there: the vote goes to its author's server, in the
    // same transaction (so a crash cannot keep the vote here and lose it there).
    if rec.remote_counts.is_some()
        && let Some(post) = statuses::by_id(tx.exec(), Id(rec.status_id)).await?
    {
        let chosen: Vec<&str> = distinct.iter().filter_map(|c| v.titles.get(*c as usize)).map(String::as_str).collect();
        crate::federation::outbox::poll_vote(app, tx.exec(), me, &post, &chosen).await?;
    }
    tx.commit().await?;
    view_of(app, &rec, Some(me.id)).await
}

/// The poll of an incoming `Question`: its options, whether several may be chosen, when it
/// ends, and the counts its server sent. Stored with the post, in its transaction.
pub async fn insert_remote(app: &App, e: Exec<'_>, status: Id, author: Id, q: &RemoteQuestion) -> Result<()> {
    let mut e = e;
    let now = now_ms();
    let rec = PollRecord {
        id: app.next_id().0,
        status_id: status.0,
        account_id: author.0,
        options: serde_json::to_string(&q.options).map_err(|e| AppError::Internal(e.to_string()))?,
        multiple: q.multiple,
        hide_totals: false,
        expires_at: q.expires_at,
        created_at: now,
        remote_counts: Some(serde_json::to_string(&q.counts).map_err(|e| AppError::Internal(e.to_string()))?),
        remote_voters_count: q.voters,
    };
    store::insert(e.reborrow(), &rec).await?;
    // Tell the people here who voted when it ends, as for a local poll.
    if q.expires_at > now {
        jobs::enqueue(app, e, EXPIRE_JOB, &rec.id.to_string(), q.expires_at - now).await?;
    }
    Ok(())
}

/// A poll as another server describes it.
#[derive(Debug, Clone)]
pub struct RemoteQuestion {
    pub options: Vec<String>,
    pub counts: Vec<i64>,
    pub multiple: bool,
    pub expires_at: i64,
    pub voters: Option<i64>,
}

/// New counts for a remote poll (its server's `Update` of the `Question`); the options stay.
pub async fn update_remote(app: &App, status: Id, q: &RemoteQuestion) -> Result<()> {
    let Some(rec) = store::of_status(app.store.reader(), status).await? else { return Ok(()) };
    if rec.remote_counts.is_none() {
        return Ok(());
    }
    let counts = serde_json::to_string(&q.counts).map_err(|e| AppError::Internal(e.to_string()))?;
    store::set_remote_counts(app.store.writer(), Id(rec.id), &counts, q.voters, q.expires_at).await?;
    Ok(())
}

/// A vote from another server on a poll of ours: `voter` chose the option titled `choice`.
/// Returns false (and changes nothing) when it is no vote that counts: the poll has ended,
/// the option does not exist, the voter may not see the post, or already voted (in a
/// single-choice poll, or for this option).
pub async fn record_remote_vote(
    app: &App,
    status: Id,
    voter: &canteen_domain::account::Account,
    choice: &str,
) -> Result<bool> {
    let Some(rec) = store::of_status(app.store.reader(), status).await? else { return Ok(false) };
    if rec.remote_counts.is_some() || rec.expires_at <= now_ms() {
        return Ok(false);
    }
    let titles: Vec<String> = serde_json::from_str(&rec.options).map_err(|e| AppError::Internal(e.to_string()))?;
    let Some(index) = titles.iter().position(|t| t == choice) else { return Ok(false) };
    // Only someone who may see the post may vote on it.
    let viewer = Viewer::load(app, Some(voter)).await?;
    if views::one(app, &viewer, status).await?.is_none() {
        return Ok(false);
    }
    let mut tx = app.store.begin().await?;
    store::lock(tx.exec(), Id(rec.id)).await?;
    let mine: Vec<i64> = store::votes(tx.exec(), Id(rec.id))
        .await?
        .into_iter()
        .filter(|(a, _)| *a == voter.id.0)
        .map(|(_, c)| c)
        .collect();
    if mine.contains(&(index as i64)) || (!rec.multiple && !mine.is_empty()) {
        return Ok(false);
    }
    store::vote(tx.exec(), Id(rec.id), voter.id, &[index as i64], now_ms()).await?;
    tx.commit().await?;
    Ok(true)
}

/// The closing job: a `poll` notification to each voter and the author.
pub async fn expire(app: &App, payload: &str) -> Result<()> {
    let id = Id::parse(payload.trim()).ok_or_else(|| AppError::BadRequest(format!("bad poll payload `{payload}`")))?;
    let Some(rec) = store::by_id(app.store.reader(), id).await? else { return Ok(()) };
    if rec.expires_at > now_ms() {
        return Err(AppError::Internal("poll not yet ended".into()));
    }
    let Some(status) = statuses::by_id(app.store.reader(), Id(rec.status_id)).await? else { return Ok(()) };
    let mut recipients: Vec<i64> = store::votes(app.store.reader(), id).await?.into_iter().map(|(a, _)| a).collect();
    recipients.push(rec.account_id);
    recipients.sort_unstable();
    recipients.dedup();
    let mut tx = app.store.begin().await?;
    let mut events = Vec::new();
    for r in recipients {
        if canteen_store::notifications::exists(tx.exec(), Id(r), Id(rec.account_id), "poll", status.id).await? {
            continue;
        }
        // The author is told too: `from` is the author, so notify() would skip them; record directly.
        let from = if r == rec.account_id { None } else { Some(Id(rec.account_id)) };
        match from {
            Some(f) => {
                events.push(crate::notifications::notify(app, tx.exec(), Id(r), f, "poll", Some(&status)).await?)
            }
            None => events.push(crate::notifications::notify_self(app, tx.exec(), Id(r), "poll", &status).await?),
        }
    }
    tx.commit().await?;
    crate::notifications::publish(app, events);
    Ok(())
}
