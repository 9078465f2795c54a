//! Posts scheduled for later ("wait and send later"): checked now, kept as a row, published
//! by a job at the chosen time through the same `statuses::create` as any post (so the
//! guard runs again under the policy in force then).

use canteen_domain::Id;
use canteen_domain::status::Visibility;
use canteen_domain::validation::Invalid;
use canteen_store::scheduled::{self as store, ScheduledRecord};
use canteen_store::{accounts, users};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::polls::NewPoll;
use crate::statuses::NewPost;
use crate::{App, AppError, Result, guard, jobs};

pub const PUBLISH_JOB: &str = "status.publish_scheduled";
/// As in Mastodon: a post is scheduled at least five minutes ahead.
pub const MIN_AHEAD_MS: i64 = 5 * 60 * 1000;

/// A scheduled post's parameters, stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Params {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub visibility: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub place: Option<String>,
    pub media_ids: Vec<i64>,
    pub media_confirmed_no_patient: bool,
    pub poll: Option<PollParams>,
    pub guard_ack: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct PollParams {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl Params {
    fn from_post(p: &NewPost) -> Params {
        Params {
            text: p.text.clone(),
            spoiler_text: p.spoiler_text.clone(),
            sensitive: p.sensitive,
            language: p.language.clone(),
            visibility: p.visibility.map(|v| v.canteen()),
            in_reply_to_id: p.in_reply_to_id.map(|i| i.0),
            place: p.place.clone(),
            media_ids: p.media_ids.iter().map(|i| i.0).collect(),
            media_confirmed_no_patient: p.media_confirmed_no_patient,
            poll: p.poll.as_ref().map(|q| PollParams {
                options: q.options.clone(),
                expires_in: q.expires_in,
                multiple: q.multiple,
                hide_totals: q.hide_totals,
            }),
            guard_ack: p.guard_ack.clone(),
        }
    }

    pub fn to_post(&self) -> NewPost {
        NewPost {
            text: self.text.clone(),
            spoiler_text: self.spoiler_text.clone(),
            sensitive: self.sensitive,
            language: self.language.clone(),
            visibility: self.visibility.as_deref().and_then(Visibility::parse),
            in_reply_to_id: self.in_reply_to_id.map(Id),
            place: self.place.clone(),
            idempotency_key: None,
            guard_ack: self.guard_ack.clone(),
            media_ids: self.media_ids.iter().map(|i| Id(*i)).collect(),
            media_confirmed_no_patient: self.media_confirmed_no_patient,
            poll: self.poll.as_ref().map(|q| NewPoll {
                options: q.options.clone(),
                expires_in: q.expires_in,
                multiple: q.multiple,
                hide_totals: q.hide_totals,
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scheduled {
    pub id: Id,
    pub scheduled_at: i64,
    pub params: Params,
}

fn from_record(r: &ScheduledRecord) -> Result<Scheduled> {
    Ok(Scheduled {
        id: Id(r.id),
        scheduled_at: r.scheduled_at,
        params: serde_json::from_str(&r.params).map_err(|e| AppError::Internal(format!("scheduled params: {e}")))?,
    })
}

fn check_time(at: i64) -> Result<()> {
    if at < now_ms() + MIN_AHEAD_MS {
        return Err(AppError::invalid(Invalid::new(
            "scheduled_at",
            "ERR_INVALID",
            "Scheduled time must be at least 5 minutes in the future",
        )));
    }
    Ok(())
}

/// Schedules a post. The guard checks it now, so the author hears at once; it checks again
/// when the post goes out.
pub async fn schedule(app: &App, auth: &Auth, mut post: NewPost, at: i64) -> Result<Scheduled> {
    let (_, me) = auth.signed_in()?;
    // Fix the audience now, as `create` would choose it, so the guard checks the same post
    // today and on the day.
    post.visibility = Some(post.visibility.unwrap_or(crate::statuses::default_visibility(me)));
    check_time(at)?;
    let options: Vec<String> = post.poll.as_ref().map(|p| p.options.clone()).unwrap_or_default();
    if let Some(p) = &post.poll {
        crate::polls::validate(app, p)?;
    }
    let visibility = post.visibility.unwrap_or(Visibility::Public);
    let ctx = canteen_guard::Context {
        visibility: guard::audience(visibility),
        has_media: !post.media_ids.is_empty(),
        media_confirmed_no_patient: post.media_confirmed_no_patient,
    };
    let draft = guard::Draft { text: &post.text, spoiler_text: &post.spoiler_text, poll_options: &options };
    guard::admit(app, draft, ctx, post.guard_ack.as_deref()).await?;
    crate::media::for_new_post(app, auth, &post.media_ids).await?;
    let rec = ScheduledRecord {
        id: app.next_id().0,
        account_id: me.id.0,
        application_id: Some(auth.app_id),
        scheduled_at: at,
        params: serde_json::to_string(&Params::from_post(&post)).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now_ms(),
    };
    let mut tx = app.store.begin().await?;
    store::insert(tx.exec(), &rec).await?;
    jobs::enqueue(app, tx.exec(), PUBLISH_JOB, &rec.id.to_string(), at - now_ms()).await?;
    tx.commit().await?;
    from_record(&rec)
}

pub async fn list(app: &App, auth: &Auth) -> Result<Vec<Scheduled>> {
    let (_, me) = auth.signed_in()?;
    store::of_account(app.store.reader(), me.id, 100).await?.iter().map(from_record).collect()
}

pub async fn get(app: &App, auth: &Auth, id: Id) -> Result<Scheduled> {
    let (_, me) = auth.signed_in()?;
    match store::by_id(app.store.reader(), id).await? {
        Some(r) if r.account_id == me.id.0 => from_record(&r),
        _ => Err(AppError::NotFound("Record not found".into())),
    }
}

/// Moves a scheduled post to another time; the waiting job notices and follows.
pub async fn reschedule(app: &App, auth: &Auth, id: Id, at: i64) -> Result<Scheduled> {
    get(app, auth, id).await?;
    check_time(at)?;
    let mut tx = app.store.begin().await?;
    store::reschedule(tx.exec(), id, at).await?;
    jobs::enqueue(app, tx.exec(), PUBLISH_JOB, &id.to_string(), at - now_ms()).await?;
    tx.commit().await?;
    get(app, auth, id).await
}

pub async fn cancel(app: &App, auth: &Auth, id: Id) -> Result<()> {
    get(app, auth, id).await?;
    store::delete(app.store.writer(), id).await?;
    Ok(())
}

/// The publishing job. A job whose post was cancelled, published already, or moved to a
/// later time does nothing (the later time has its own job).
pub async fn publish(app: &App, payload: &str) -> Result<()> {
    let id =
        Id::parse(payload.trim()).ok_or_else(|| AppError::BadRequest(format!("bad scheduled payload `{payload}`")))?;
    let Some(rec) = store::by_id(app.store.reader(), id).await? else { return Ok(()) };
    if rec.scheduled_at > now_ms() {
        return Ok(());
    }
    let s = from_record(&rec)?;
    let account = accounts::by_id(app.store.reader(), Id(rec.account_id))
        .await?
        .ok_or_else(|| AppError::Internal("author gone".into()))?;
    let user_id = account.user_id.ok_or_else(|| AppError::Internal("author has no login".into()))?;
    let user =
        users::by_id(app.store.reader(), user_id).await?.ok_or_else(|| AppError::Internal("login gone".into()))?;
    crate::auth::check_may_sign_in(&user, &account)?;
    let auth = Auth {
        token_id: 0,
        app_id: rec.application_id.unwrap_or(0),
        scopes: canteen_domain::scope::Scopes::parse("write:statuses")
            .map_err(|e| AppError::Internal(e.to_string()))?,
        user: Some(user),
        account: Some(account),
        expires_at: None,
    };
    // Keyed, so a job that runs again after a crash finds the post instead of making another.
    let mut post = s.params.to_post();
    post.idempotency_key = Some(format!("scheduled-{id}"));
    crate::statuses::create(app, &auth, post).await?;
    store::delete(app.store.writer(), id).await?;
    Ok(())
}

/// Reading positions (`home`, `notifications`), as Mastodon's markers.
pub async fn markers(app: &App, auth: &Auth) -> Result<Vec<(String, i64, i64, i64)>> {
    let (_, me) = auth.signed_in()?;
    Ok(store::markers(app.store.reader(), me.id).await?)
}

pub async fn set_marker(app: &App, auth: &Auth, timeline: &str, last_read_id: i64) -> Result<()> {
    let (_, me) = auth.signed_in()?;
    if !matches!(timeline, "home" | "notifications") {
        return Err(AppError::invalid(Invalid::new(
            "timeline",
            "ERR_INCLUSION",
            "Timeline must be home or notifications",
        )));
    }
    store::set_marker(app.store.writer(), me.id, timeline, last_read_id, now_ms()).await?;
    Ok(())
}
