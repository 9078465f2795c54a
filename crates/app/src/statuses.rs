//! Posting, editing, deleting and reading posts, threads, re-posts, likes, bookmarks, pins.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::{Status, Visibility};
use canteen_domain::text::{Token, count_chars, tokenize};
use canteen_domain::validation::Invalid;
use canteen_store::interactions::{self, Kind};
use canteen_store::{Exec, accounts, relationships, statuses};

use crate::accounts::not_found;
use crate::auth::Auth;
use crate::clock::now_ms;
use crate::content;
use crate::guard;
use crate::post_commit::{self, NewPostRows};
use crate::viewer::Viewer;
use crate::views::{self, StatusView};
use crate::{App, AppError, Result, jobs};

pub const FANOUT_JOB: &str = "status.fanout";
pub const MAX_THREAD: usize = 200;

/// What a person asked to post.
#[derive(Debug, Clone, Default)]
pub struct NewPost {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub visibility: Option<Visibility>,
    pub in_reply_to_id: Option<Id>,
    pub place: Option<String>,
    pub idempotency_key: Option<String>,
    /// The fingerprint of a guard report whose warnings the author has seen.
    pub guard_ack: Option<String>,
    /// Uploads to attach (the caller's own, not yet attached; at most four).
    pub media_ids: Vec<Id>,
    /// The author confirms no patient can be identified in the attached media.
    pub media_confirmed_no_patient: bool,
    pub poll: Option<crate::polls::NewPoll>,
}

/// The accounts a text mentions: local ones, and remote ones already known here.
async fn resolve_mentions(app: &App, text: &str) -> Result<Vec<Account>> {
    let mut out: Vec<Account> = Vec::new();
    let our_domain = app.config.domain();
    for tok in tokenize(text) {
        if let Token::Mention { username, domain, .. } = tok {
            let local = domain.is_none_or(|d| d.eq_ignore_ascii_case(&our_domain));
            // Remote accounts are mentioned once known here (found through search's resolve);
            // looking unknown ones up while posting would make posting wait on other servers.
            let found = match domain {
                Some(d) if !local => accounts::by_username_domain(app.store.reader(), username, d).await?,
                _ => accounts::by_local_username(app.store.reader(), username).await?,
            };
            if let Some(a) = found
                && a.suspended_at.is_none()
                && !out.iter().any(|o| o.id == a.id)
            {
                out.push(a);
            }
        }
    }
    Ok(out)
}

fn hashtags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = tokenize(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Hashtag(tag) => Some(tag.to_lowercase()),
            _ => None,
        })
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

fn check_text(app: &App, text: &str, spoiler: &str, language: &Option<String>, has_media: bool) -> Result<()> {
    let mut problems = Vec::new();
    if text.trim().is_empty() && !has_media {
        problems.push(Invalid::new("status", "ERR_BLANK", "Text can't be blank"));
    }
    let max = app.config.max_post_chars;
    let used = count_chars(text) + spoiler.chars().count();
    if used > max {
        problems.push(Invalid::new(
            "status",
            "ERR_TOO_LONG",
            format!("Text is too long: {used} characters, the limit is {max} (links count as 23)"),
        ));
    }
    if let Some(lang) = language
        && !(lang.len() >= 2 && lang.len() <= 3 && lang.chars().all(|c| c.is_ascii_lowercase()))
    {
        problems.push(Invalid::new("language", "ERR_INVALID", "Language must be an ISO 639 code such as `en`"));
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

/// The audience a profile posts to when none is asked for.
pub fn default_visibility(me: &Account) -> Visibility {
    match me.privacy.default_visibility {
        canteen_domain::account::PostVisibility::Public => Visibility::Public,
        canteen_domain::account::PostVisibility::Unlisted => Visibility::Unlisted,
        canteen_domain::account::PostVisibility::Private => Visibility::Private,
        canteen_domain::account::PostVisibility::Direct => Visibility::Direct,
    }
}

/// Posts as the signed-in profile. The post and its fan-out job commit together.
pub async fn create(app: &App, auth: &Auth, post: NewPost) -> Result<StatusView> {
    let (_, me) = auth.signed_in()?;
    if let Some(key) = &post.idempotency_key
        && let Some(existing) = statuses::idempotent_status(app.store.reader(), me.id, key).await?
    {
        return get(app, Some(auth), existing).await;
    }
    check_text(app, &post.text, &post.spoiler_text, &post.language, !post.media_ids.is_empty())?;
    let media = crate::media::for_new_post(app, auth, &post.media_ids).await?;
    if let Some(p) = &post.poll {
        if !media.is_empty() {
            return Err(AppError::Unprocessable("A post cannot have both a poll and attachments".into()));
        }
        crate::polls::validate(app, p)?;
    }
    let poll_options: Vec<String> =
        post.poll.as_ref().map(|p| p.options.iter().map(|o| o.trim().to_string()).collect()).unwrap_or_default();
    let visibility = post.visibility.unwrap_or(default_visibility(me));
    if let Visibility::Circle(list) = visibility
        && relationships::list_owner(app.store.reader(), list).await? != Some(me.id)
    {
        return Err(AppError::invalid(Invalid::new(
            "canteen_visibility",
            "ERR_INVALID",
            "A circle must be one of your own lists",
        )));
    }
    let viewer = Viewer::load(app, Some(me)).await?;
    let parent = match post.in_reply_to_id {
        Some(pid) => Some(views::one(app, &viewer, pid).await?.ok_or_else(|| {
            AppError::NotFound("The post you are replying to does not exist or you may not see it".into())
        })?),
        None => None,
    };
    if let Some(p) = &parent
        && viewer.blocks_or_blocked_by(p.account.id)
    {
        return Err(AppError::Forbidden("You cannot reply to this account".into()));
    }
    let ctx = canteen_guard::Context {
        visibility: guard::audience(visibility),
        has_media: !media.is_empty(),
        media_confirmed_no_patient: post.media_confirmed_no_patient,
    };
    let draft = guard::Draft { text: &post.text, spoiler_text: &post.spoiler_text, poll_options: &poll_options };
    let guarded = guard::admit(app, draft, ctx, post.guard_ack.as_deref()).await?;
    let mentioned = resolve_mentions(app, guarded.text()).await?;
    let id = app.next_id();
    let now = now_ms();
    let status = Status {
        id,
        account_id: me.id,
        uri: app.config.status_uri(&me.username, id),
        url: format!("{}/@{}/{}", app.config.public_url, me.username, id),
        content_html: content::render(guarded.text(), &mentioned, &app.config.public_url),
        text: guarded.text().to_string(),
        spoiler_text: guarded.spoiler_text().to_string(),
        sensitive: post.sensitive || !guarded.spoiler_text().is_empty(),
        language: post.language,
        visibility,
        place: post.place.filter(|p| !p.trim().is_empty()),
        in_reply_to_id: parent.as_ref().map(|p| p.status.id),
        in_reply_to_account_id: parent.as_ref().map(|p| p.account.id),
        reblog_of_id: None,
        application_id: Some(auth.app_id),
        pinned_at: None,
        created_at: now,
        edited_at: None,
    };
    let federate = may_reach_remote(app, &status, &mentioned, parent.as_ref()).await?;
    let rows = NewPostRows {
        mentions: mentioned.iter().map(|a| a.id).collect(),
        tags: hashtags(&status.text),
        idempotency_key: post.idempotency_key.clone(),
        acknowledged: guard::acknowledged(app, me.id, &guarded),
        jobs: vec![(FANOUT_JOB, id.to_string()), (crate::search::INDEX_STATUS_JOB, id.to_string())],
        federate,
        status,
    };
    if media.is_empty() && post.poll.is_none() {
        let view = views::new_post(rows.status.clone(), me.clone(), mentioned.clone(), rows.tags.clone());
        if let Err(e) = post_commit::commit(app, rows).await {
            // Two requests with one idempotency key at once: the second finds the first's post.
            if let Some(key) = &post.idempotency_key
                && let Some(existing) = statuses::idempotent_status(app.store.reader(), me.id, key).await?
            {
                return get(app, Some(auth), existing).await;
            }
            return Err(e);
        }
        return Ok(view);
    } else {
        // Attachments and polls are checked row by row, so such a post has a transaction of
        // its own.
        let mut tx = app.store.begin().await?;
        post_commit::write_rows(app, tx.exec(), &[&rows]).await?;
        for (position, m) in media.iter().enumerate() {
            if !canteen_store::media::attach(tx.exec(), Id(m.id), id, position as i64).await? {
                return Err(AppError::invalid(Invalid::new(
                    "media_ids",
                    "ERR_TAKEN",
                    "That attachment is already part of another post",
                )));
            }
        }
        if let Some(p) = &post.poll {
            crate::polls::insert(app, tx.exec(), id, me.id, p, guarded.poll_options()).await?;
        }
        // After the attachments and the poll: the activity carries them.
        if rows.federate {
            crate::federation::outbox::created(app, tx.exec(), &rows.status).await?;
        }
        tx.commit().await?;
    }
    views::one(app, &viewer, id).await?.ok_or_else(|| AppError::Internal("new post not readable".into()))
}

/// Whether a remote server may be in a new post's audience (a remote follower, list member,
/// mentioned account or replied-to author), read before its transaction so that a post with
/// none spends no writer time finding out. A remote follow that lands in between misses
/// this post, as one that lands just after it would.
async fn may_reach_remote(app: &App, s: &Status, mentioned: &[Account], parent: Option<&StatusView>) -> Result<bool> {
    if mentioned.iter().any(|a| !a.is_local()) {
        return Ok(true);
    }
    if matches!(s.visibility, Visibility::Public | Visibility::Unlisted)
        && parent.is_some_and(|p| !p.account.is_local())
    {
        return Ok(true);
    }
    let reader = app.store.reader();
    Ok(match s.visibility {
        Visibility::Direct => false,
        Visibility::Circle(list) => !canteen_store::federation::remote_list_members(reader, list).await?.is_empty(),
        _ => canteen_store::federation::has_remote_followers(reader, s.account_id).await?,
    })
}

/// One post, if this viewer may see it; otherwise the same 404 as a missing one.
pub async fn get(app: &App, auth: Option<&Auth>, id: Id) -> Result<StatusView> {
    let viewer = Viewer::load(app, auth.and_then(|a| a.account.as_ref())).await?;
    views::one(app, &viewer, id).await?.ok_or_else(not_found)
}

/// The caller's own post (or 404).
async fn own(app: &App, auth: &Auth, id: Id) -> Result<Status> {
    let (_, me) = auth.signed_in()?;
    match statuses::by_id(app.store.reader(), id).await? {
        Some(s) if s.account_id == me.id => Ok(s),
        _ => Err(not_found()),
    }
}

/// Deletes one's own post; answers with it as it was, so apps can offer "delete and redraft".
pub async fn delete(app: &App, auth: &Auth, id: Id) -> Result<StatusView> {
    let view = get(app, Some(auth), id).await?;
    let s = own(app, auth, id).await?;
    let mut tx = app.store.begin().await?;
    crate::federation::outbox::deleted(app, tx.exec(), &s).await?;
    let files = canteen_store::media::detach_all(tx.exec(), id).await?;
    // Asked for later, its id answers "gone" (a re-post was never a document of its own).
    if s.reblog_of_id.is_none() {
        canteen_store::erasure::bury_uri(tx.exec(), &s.uri, "Note", now_ms()).await?;
    }
    statuses::delete(tx.exec(), id).await?;
    crate::search::enqueue_status(app, tx.exec(), id).await?;
    tx.commit().await?;
    // No stream may send it from the cache while its files are being removed.
    app.live.forget(id);
    // The files of a deleted post go too; a failure here leaves an orphan file, never a
    // visible one (its row is gone, so it is no longer served).
    crate::media::remove_files(app, files).await;
    app.publish(crate::events::Event::Delete { status: id });
    Ok(view)
}

/// What an edit may change.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub guard_ack: Option<String>,
}

/// Edits one's own post, keeping every earlier version for `history`.
pub async fn edit(app: &App, auth: &Auth, id: Id, edit: Edit) -> Result<StatusView> {
    let mut s = own(app, auth, id).await?;
    if s.reblog_of_id.is_some() {
        return Err(AppError::Unprocessable("A re-post cannot be edited".into()));
    }
    let has_media = !canteen_store::media::of_statuses(app.store.reader(), &[id]).await?.is_empty();
    check_text(app, &edit.text, &edit.spoiler_text, &edit.language, has_media)?;
    // The media were confirmed when the post was made; an edit changes only the text.
    let ctx = canteen_guard::Context {
        visibility: guard::audience(s.visibility),
        has_media,
        media_confirmed_no_patient: true,
    };
    let draft = guard::Draft { text: &edit.text, spoiler_text: &edit.spoiler_text, poll_options: &[] };
    let guarded = guard::admit(app, draft, ctx, edit.guard_ack.as_deref()).await?;
    let mentioned = resolve_mentions(app, guarded.text()).await?;
    let now = now_ms();
    let mut tx = app.store.begin().await?;
    if statuses::edits(tx.exec(), id).await?.is_empty() {
        record_version(app, tx.exec(), &s, s.created_at).await?;
    }
    s.content_html = content::render(guarded.text(), &mentioned, &app.config.public_url);
    s.text = guarded.text().to_string();
    s.spoiler_text = guarded.spoiler_text().to_string();
    s.sensitive = edit.sensitive || !s.spoiler_text.is_empty();
    s.language = edit.language.or(s.language);
    s.edited_at = Some(now);
    statuses::update_content(tx.exec(), &s).await?;
    record_version(app, tx.exec(), &s, now).await?;
    guard::record_acknowledged(app, tx.exec(), s.account_id, &guarded).await?;
    statuses::clear_mentions_and_tags(tx.exec(), id).await?;
    statuses::insert_mentions(tx.exec(), id, &mentioned.iter().map(|a| a.id).collect::<Vec<_>>()).await?;
    statuses::insert_tags(tx.exec(), id, &hashtags(&s.text)).await?;
    crate::search::enqueue_status(app, tx.exec(), id).await?;
    crate::federation::outbox::updated(app, tx.exec(), &s).await?;
    tx.commit().await?;
    app.publish(crate::events::Event::Update { status: id });
    // Those who re-posted it are told it changed (Mastodon's `update` notification).
    let mut events = Vec::new();
    let mut tx = app.store.begin().await?;
    for who in interactions::reblogged_by(tx.exec(), id, 1000).await? {
        events.push(crate::notifications::notify(app, tx.exec(), who, s.account_id, "update", Some(&s)).await?);
    }
    tx.commit().await?;
    crate::notifications::publish(app, events);
    get(app, Some(auth), id).await
}

pub(crate) async fn record_version(app: &App, e: Exec<'_>, s: &Status, at: i64) -> Result<()> {
    statuses::insert_edit(
        e,
        &statuses::EditRecord {
            id: app.next_id().0,
            status_id: s.id.0,
            text: s.text.clone(),
            spoiler_text: s.spoiler_text.clone(),
            sensitive: s.sensitive,
            created_at: at,
        },
    )
    .await?;
    Ok(())
}

/// Every version of a post, oldest first (just the current one if never edited).
pub async fn history(app: &App, auth: Option<&Auth>, id: Id) -> Result<(StatusView, Vec<statuses::EditRecord>)> {
    let view = get(app, auth, id).await?;
    let mut versions = statuses::edits(app.store.reader(), id).await?;
    if versions.is_empty() {
        let s = &view.status;
        versions.push(statuses::EditRecord {
            id: s.id.0,
            status_id: s.id.0,
            text: s.text.clone(),
            spoiler_text: s.spoiler_text.clone(),
            sensitive: s.sensitive,
            created_at: s.created_at,
        });
    }
    Ok((view, versions))
}

/// A thread around a post: ancestors oldest first, descendants in reply order. Each post
/// in it passes the audience rule on its own.
pub async fn context(app: &App, auth: Option<&Auth>, id: Id) -> Result<(Vec<StatusView>, Vec<StatusView>)> {
    let viewer = Viewer::load(app, auth.and_then(|a| a.account.as_ref())).await?;
    let focus = views::one(app, &viewer, id).await?.ok_or_else(not_found)?;
    let mut ancestors = Vec::new();
    let mut next = focus.status.in_reply_to_id;
    while let Some(pid) = next {
        if ancestors.len() >= MAX_THREAD {
            break;
        }
        let Some(p) = statuses::by_id(app.store.reader(), pid).await? else {
            break;
        };
        next = p.in_reply_to_id;
        ancestors.push(p);
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut frontier = vec![id];
    while !frontier.is_empty() && descendants.len() < MAX_THREAD {
        let replies = statuses::replies_to(app.store.reader(), &frontier).await?;
        frontier = replies.iter().map(|r| r.id).collect();
        descendants.extend(replies);
    }
    descendants.truncate(MAX_THREAD);
    Ok((views::visible(app, &viewer, ancestors).await?, views::visible(app, &viewer, descendants).await?))
}

/// Re-posts a post the caller may see, if its audience allows re-posting.
pub async fn reblog(app: &App, auth: &Auth, id: Id, visibility: Option<Visibility>) -> Result<StatusView> {
    let (_, me) = auth.signed_in()?;
    let target = get(app, Some(auth), id).await?;
    let original = match &target.reblog {
        Some(orig) => (**orig).clone(),
        None => target,
    };
    if !original.status.visibility.can_reblog() {
        return Err(AppError::Unprocessable("This post's audience does not allow re-posting".into()));
    }
    if let Some(existing) = statuses::reblog_by(app.store.reader(), me.id, original.status.id).await? {
        return get(app, Some(auth), existing.id).await;
    }
    let visibility = match visibility.unwrap_or(Visibility::Public) {
        v @ (Visibility::Public | Visibility::Unlisted | Visibility::Private) => v,
        _ => {
            return Err(AppError::invalid(Invalid::new(
                "visibility",
                "ERR_INVALID",
                "A re-post is public, unlisted or private",
            )));
        }
    };
    let rid = app.next_id();
    let now = now_ms();
    let s = Status {
        id: rid,
        account_id: me.id,
        uri: format!("{}/activity", app.config.status_uri(&me.username, rid)),
        url: format!("{}/@{}/{}", app.config.public_url, me.username, rid),
        text: String::new(),
        content_html: String::new(),
        spoiler_text: String::new(),
        sensitive: false,
        language: None,
        visibility,
        place: None,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(original.status.id),
        application_id: Some(auth.app_id),
        pinned_at: None,
        created_at: now,
        edited_at: None,
    };
    let mut tx = app.store.begin().await?;
    match statuses::insert(tx.exec(), &s).await {
        // Another request re-posted it a moment ago: answer with that one.
        Err(canteen_store::StoreError::Conflict(_)) => {
            drop(tx);
            if let Some(existing) = statuses::reblog_by(app.store.reader(), me.id, original.status.id).await? {
                return get(app, Some(auth), existing.id).await;
            }
            return Err(AppError::Internal("re-post conflict without a re-post".into()));
        }
        other => other?,
    }
    jobs::enqueue(app, tx.exec(), FANOUT_JOB, &rid.to_string(), 0).await?;
    crate::federation::outbox::announced(app, tx.exec(), &s).await?;
    tx.commit().await?;
    get(app, Some(auth), rid).await
}

pub async fn unreblog(app: &App, auth: &Auth, id: Id) -> Result<StatusView> {
    let (_, me) = auth.signed_in()?;
    let original = get(app, Some(auth), id).await?;
    if let Some(r) = statuses::reblog_by(app.store.reader(), me.id, original.status.id).await? {
        let mut tx = app.store.begin().await?;
        crate::federation::outbox::unannounced(app, tx.exec(), &r).await?;
        statuses::delete(tx.exec(), r.id).await?;
        tx.commit().await?;
        app.publish(crate::events::Event::Delete { status: r.id });
    }
    get(app, Some(auth), id).await
}

/// Favourite or bookmark (or undo either) a post the caller may see.
pub async fn mark(app: &App, auth: &Auth, id: Id, kind: Kind, on: bool) -> Result<StatusView> {
    let (_, me) = auth.signed_in()?;
    let view = get(app, Some(auth), id).await?;
    // Liking or bookmarking a re-post means the original, as in Mastodon.
    let view = match view.reblog {
        Some(orig) => *orig,
        None => view,
    };
    let id = view.status.id;
    let mut tx = app.store.begin().await?;
    let changed = if on {
        let new = interactions::add(tx.exec(), kind, app.next_id().0, me.id, id, now_ms()).await?;
        if new && kind == Kind::Favourite && view.account.id != me.id {
            crate::notifications::notify(app, tx.exec(), view.account.id, me.id, "favourite", Some(&view.status))
                .await?;
        }
        new
    } else {
        interactions::remove(tx.exec(), kind, me.id, id).await?
    };
    // A like of another server's post is told to its author's server (a bookmark is private).
    if changed && kind == Kind::Favourite && !view.account.is_local() {
        crate::federation::outbox::liked(app, tx.exec(), me, &view.status, on).await?;
    }
    tx.commit().await?;
    get(app, Some(auth), id).await
}

/// Pins (or unpins) one's own post to one's profile.
pub async fn pin(app: &App, auth: &Auth, id: Id, on: bool) -> Result<StatusView> {
    let s = own(app, auth, id).await?;
    if on && !matches!(s.visibility, Visibility::Public | Visibility::Unlisted | Visibility::Private) {
        return Err(AppError::Unprocessable("Only public, unlisted or followers-only posts can be pinned".into()));
    }
    statuses::set_pinned(app.store.writer(), id, on.then(now_ms)).await?;
    get(app, Some(auth), id).await
}

/// Who favourited or re-posted a post the caller may see, leaving out accounts the caller
/// has blocked or is blocked by.
pub async fn who(app: &App, auth: Option<&Auth>, id: Id, kind: Kind, limit: i64) -> Result<Vec<Account>> {
    let view = get(app, auth, id).await?;
    let viewer = Viewer::load(app, auth.and_then(|a| a.account.as_ref())).await?;
    let ids = match kind {
        Kind::Favourite => interactions::favourited_by(app.store.reader(), view.status.id, limit).await?,
        Kind::Bookmark => return Err(AppError::NotFound("Record not found".into())),
    };
    let found = accounts::by_ids(app.store.reader(), &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|a| a.id == *id))
        .filter(|a| a.suspended_at.is_none() && !viewer.blocks_or_blocked_by(a.id))
        .cloned()
        .collect())
}

pub async fn reblogged_by(app: &App, auth: Option<&Auth>, id: Id, limit: i64) -> Result<Vec<Account>> {
    let view = get(app, auth, id).await?;
    let viewer = Viewer::load(app, auth.and_then(|a| a.account.as_ref())).await?;
    // Only re-posts this viewer may see (a followers-only re-post names its author to the
    // author's followers alone).
    let reblogs = statuses::reblogs_of(app.store.reader(), view.status.id, limit).await?;
    Ok(views::visible(app, &viewer, reblogs).await?.into_iter().map(|v| v.account).collect())
}

/// Renders a stored text (an earlier version) as HTML, resolving its mentions now.
pub fn render_text(app: &App, text: &str) -> String {
    content::render(text, &[], &app.config.public_url)
}
