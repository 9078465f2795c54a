//! The inbox: verify who sent an activity, then act on it.
//!
//! Order of checks (each failure is a clear error, and none stores anything):
//! 1. the personal inbox's account exists;
//! 2. the signature passes every check that needs no key (`signatures::prepare`: dialect,
//!    coverage, date window, body digest), so a stale or tampered request costs no fetch;
//! 3. the body is an activity with an actor, and that actor is not one of ours;
//! 4. the key is known or fetched (SSRF-safe), and the signature verifies with it — a key
//!    fetched more than a few minutes ago is fetched once more on failure (rotation);
//! 5. the key's owner is the activity's actor.
//!
//! Handled: `Follow` of a local account and its `Undo`; `Accept`/`Reject` of our `Follow`;
//! `Create`, `Update` and `Delete` of posts (`notes`) and `Update`/`Delete` of the actor
//! itself; `Like` of a local post; `Announce` (re-posts); `Block`; `Undo` of each. Everything else is accepted (202) and ignored, with a log
//! line, until later slices handle it.

use std::time::SystemTime;

use canteen_domain::Id;
use canteen_federation::signatures::{self, RequestParts, VerifyOptions};
use canteen_federation::vocab::{Activity, ActivityType, Object};
use canteen_store::federation::RemoteActor;
use canteen_store::{accounts, federation as fstore, notifications as nstore, relationships as rel};
use http::{HeaderMap, Method};

use super::actors::{self, KeyLookupError};
use super::notes::{self, Admission};
use super::{delivery, is_local_uri, local_username};
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// A POST to an inbox, as received.
pub struct InboxRequest {
    pub method: Method,
    /// Path and query as requested (`/inbox`); the absolute URI the sender signed is rebuilt
    /// from `public_url`, since a proxy in front may have changed scheme and host.
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// For a personal inbox (`/users/{name}/inbox`), whose.
    pub recipient: Option<String>,
}

/// What was done with an accepted activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Acted on (e.g. `"follow"`, `"follow request"`, `"undo follow"`).
    Handled(&'static str),
    /// Verified, but of a kind not handled yet; the reason is logged.
    Ignored(String),
}

fn unauthorized(why: impl std::fmt::Display) -> AppError {
    AppError::Unauthorized(format!("Request not accepted: {why}"))
}

/// Verifies and handles one inbox POST.
pub async fn receive(app: &App, req: InboxRequest) -> Result<Outcome> {
    if let Some(name) = &req.recipient {
        match accounts::by_local_username(app.store.reader(), name).await? {
            Some(a) if a.suspended_at.is_none() => {}
            _ => return Err(AppError::NotFound("Record not found".into())),
        }
    }
    let uri = format!("{}{}", app.config.public_url, req.path_and_query)
        .parse()
        .map_err(|_| AppError::BadRequest("the request target is not a valid URI".into()))?;
    let parts = RequestParts::new(req.method, uri, req.headers);
    let pending =
        signatures::prepare(&parts, &req.body, &VerifyOptions::new(SystemTime::now())).map_err(unauthorized)?;
    let activity = match Object::from_slice(&req.body) {
        Ok(Object::Activity(a)) => *a,
        Ok(other) => {
            return Err(AppError::BadRequest(format!("expected an activity, got a {}", other.type_name())));
        }
        Err(e) => return Err(AppError::BadRequest(format!("the body is not an ActivityStreams activity: {e}"))),
    };
    let actor_id = activity.actor_id().ok_or_else(|| AppError::BadRequest("the activity has no actor".into()))?;
    if is_local_uri(&app.config, actor_id) {
        return Err(unauthorized(format!("the actor {actor_id} is an account of this server")));
    }
    // A blocked server costs nothing more: no key fetch, nothing stored.
    let actor_domain = url::Url::parse(actor_id).ok().and_then(|u| super::authority_of(&u));
    let actor_domain =
        actor_domain.ok_or_else(|| AppError::BadRequest(format!("the actor {actor_id} is not a URL")))?;
    super::domains::require_permit(app, &actor_domain).await?;
    let key_id = pending.key_id().to_string();
    let lookup_failed = |e: KeyLookupError| match e {
        KeyLookupError::App(AppError::Internal(cause)) => AppError::Internal(cause),
        other => unauthorized(format!("could not get the signing key {key_id}: {other}")),
    };
    let mut key = actors::key(app, &key_id, false).await.map_err(lookup_failed)?;
    if let Err(first) = pending.verify(&key.key) {
        if !actors::may_refetch(&key) {
            return Err(unauthorized(first));
        }
        key = actors::key(app, &key_id, true).await.map_err(lookup_failed)?;
        pending.verify(&key.key).map_err(unauthorized)?;
    }
    if key.owner != actor_id {
        return Err(unauthorized(format!(
            "the request is signed with a key of {}, but the activity's actor is {actor_id}",
            key.owner
        )));
    }
    // The sender as stored when its key was found (its inbox, followers collection), for
    // every handler: read with the key, not again.
    let remote = key.actor;
    match activity.kind {
        ActivityType::Follow => follow(app, &remote, &activity).await,
        ActivityType::Undo => undo(app, &remote, &activity).await,
        ActivityType::Create | ActivityType::Update | ActivityType::Delete => posts(app, &remote, &activity).await,
        ActivityType::Accept | ActivityType::Reject => follow_answered(app, key.account_id, actor_id, &activity).await,
        ActivityType::Like => like(app, key.account_id, &activity).await,
        ActivityType::Announce => notes::announce(app, &remote, &activity).await,
        ActivityType::Block => blocked_by(app, key.account_id, &activity, true).await,
        ActivityType::Flag => flag(app, key.account_id, &activity).await,
        ActivityType::Move => moved(app, &remote, &activity).await,
        ref other => {
            let why = format!("{} activities are not handled yet", other.as_str());
            tracing::info!(actor = %actor_id, id = ?activity.id, kind = other.as_str(), "inbox: ignored");
            Ok(Outcome::Ignored(why))
        }
    }
}

/// An account elsewhere moved (`Move` of itself to `target`): once the new account's own
/// document names the old one (`alsoKnownAs`), everyone here who followed the old account
/// follows the new one instead (a request where it asks for approval), as Mastodon does.
async fn moved(app: &App, remote: &RemoteActor, activity: &Activity) -> Result<Outcome> {
    if activity.object_id() != Some(remote.uri.as_str()) {
        return Err(unauthorized("an actor may only move itself"));
    }
    let Some(target_uri) = activity.target.as_ref().and_then(|t| t.id()) else {
        return Err(AppError::BadRequest("a Move needs a target".into()));
    };
    if target_uri == remote.uri {
        return Err(AppError::BadRequest("a Move to the same account".into()));
    }
    // The new account says it is the old one: its own (freshly fetched) document, or, for a
    // profile here, its aliases.
    let (new_account, aliases) = if is_local_uri(&app.config, target_uri) {
        let found = match local_username(&app.config, target_uri) {
            Some(name) => accounts::by_local_username(app.store.reader(), name).await?,
            None => None,
        };
        let local = found.filter(|a| a.suspended_at.is_none()).ok_or_else(|| unauthorized("no such profile here"))?;
        let aliases = local.also_known_as.clone();
        (local, aliases)
    } else {
        let (account, doc) = actors::refetch(app, target_uri).await.map_err(|e| match e {
            KeyLookupError::App(inner) => inner,
            other => AppError::BadRequest(format!("could not fetch the new account {target_uri}: {other}")),
        })?;
        (account, doc.also_known_as)
    };
    if !aliases.iter().any(|a| a == &remote.uri) {
        return Err(unauthorized(format!("{target_uri} does not name {} as also known as it", remote.uri)));
    }
    let moved = crate::follows::move_followers(app, Id(remote.account_id), new_account.id).await?;
    tracing::info!(from = %remote.uri, to = %target_uri, moved, "account moved");
    Ok(Outcome::Handled("move"))
}

/// Another server reports people here (`Flag`): a report for the admins, from the actor that
/// sent it (usually that server's instance actor).
async fn flag(app: &App, reporter: Id, activity: &Activity) -> Result<Outcome> {
    let objects: Vec<String> = activity.object.iter().filter_map(|o| o.id().map(str::to_string)).collect();
    let comment = activity.content.as_deref().unwrap_or_default();
    if crate::reports::receive_flag(app, reporter, activity.id.as_deref(), &objects, comment).await? {
        Ok(Outcome::Handled("report"))
    } else {
        Ok(Outcome::Ignored("a Flag naming nobody here, or one already received".into()))
    }
}

/// A remote actor follows a local account: a follow (answered with `Accept`) or, for a locked
/// account, a request for its owner to approve. Blocks either way are answered with `Reject`.
async fn follow(app: &App, remote: &RemoteActor, activity: &Activity) -> Result<Outcome> {
    let (follower, follower_uri) = (Id(remote.account_id), remote.uri.as_str());
    let target_uri = activity.object_id().ok_or_else(|| AppError::BadRequest("the Follow has no object".into()))?;
    let not_here = || AppError::NotFound(format!("{target_uri} is not an account on this server"));
    let username = local_username(&app.config, target_uri).ok_or_else(not_here)?;
    let target = match accounts::by_local_username(app.store.reader(), username).await? {
        Some(a) if a.suspended_at.is_none() => a,
        _ => return Err(not_here()),
    };
    let follow_id = activity
        .id
        .clone()
        .ok_or_else(|| AppError::BadRequest("the Follow has no id, so it cannot be answered".into()))?;
    let inbox = remote
        .inbox_url
        .clone()
        .ok_or_else(|| AppError::BadRequest(format!("the actor {follower_uri} has no inbox")))?;
    let e = || app.store.reader();
    let blocked =
        rel::is_blocking(e(), target.id, follower).await? || rel::is_blocking(e(), follower, target.id).await?;
    let answer = |kind: &str| super::outbox::follow_answer(app, &target, follower_uri, &follow_id, kind);
    let now = now_ms();
    let mut tx = app.store.begin().await?;
    let mut events = Vec::new();
    let outcome = if blocked {
        delivery::enqueue(app, tx.exec(), target.id, &inbox, &answer("Reject")).await?;
        "follow rejected (blocked)"
    } else if rel::is_following(tx.exec(), follower, target.id).await? {
        // Already following: the Accept was probably lost; send it again.
        fstore::set_follow_uri(tx.exec(), false, follower, target.id, &follow_id).await?;
        delivery::enqueue(app, tx.exec(), target.id, &inbox, &answer("Accept")).await?;
        "follow (again)"
    } else if target.privacy.locked {
        let first = !rel::has_request(tx.exec(), follower, target.id).await?;
        rel::request(tx.exec(), app.next_id().0, follower, target.id, true, false, now).await?;
        fstore::set_follow_uri(tx.exec(), true, follower, target.id, &follow_id).await?;
        if first {
            events
                .push(crate::notifications::notify(app, tx.exec(), target.id, follower, "follow_request", None).await?);
        }
        "follow request"
    } else {
        rel::follow(tx.exec(), follower, target.id, true, false, now).await?;
        fstore::set_follow_uri(tx.exec(), false, follower, target.id, &follow_id).await?;
        events.push(crate::notifications::notify(app, tx.exec(), target.id, follower, "follow", None).await?);
        delivery::enqueue(app, tx.exec(), target.id, &inbox, &answer("Accept")).await?;
        "follow"
    };
    tx.commit().await?;
    app.relations_changed();
    crate::notifications::publish(app, events);
    Ok(Outcome::Handled(outcome))
}

/// `Undo` of a `Follow`: the follow (or pending request) it made is removed. The `Follow` may
/// be embedded (Mastodon) or named by id only.
async fn undo(app: &App, remote: &RemoteActor, activity: &Activity) -> Result<Outcome> {
    let (actor, actor_uri) = (Id(remote.account_id), remote.uri.as_str());
    let (from, to) = match activity.inner_activity() {
        Some(inner) if inner.kind == ActivityType::Follow => {
            if inner.actor_id() != Some(actor_uri) {
                return Err(unauthorized("an actor may only undo its own Follow"));
            }
            let target = inner.object_id().and_then(|t| local_username(&app.config, t));
            let target = match target {
                Some(name) => accounts::by_local_username(app.store.reader(), name).await?,
                None => None,
            };
            match target {
                Some(t) => (actor, t.id),
                None => return Ok(Outcome::Ignored("Undo of a Follow of no account here".into())),
            }
        }
        Some(inner) if inner.actor_id() != Some(actor_uri) => {
            return Err(unauthorized("an actor may only undo its own activities"));
        }
        Some(inner) if inner.kind == ActivityType::Announce => {
            let id = inner.id.as_deref().ok_or_else(|| AppError::BadRequest("the undone Announce has no id".into()))?;
            return notes::undo_announce(app, remote, id).await;
        }
        Some(inner) if inner.kind == ActivityType::Block => return blocked_by(app, actor, inner, false).await,
        Some(inner) if inner.kind == ActivityType::Like => {
            let object = inner.object_id().unwrap_or_default();
            let Some(s) = canteen_store::statuses::by_uri(app.store.reader(), object).await? else {
                return Ok(Outcome::Ignored(format!("Undo of a Like of {object}, which is not held here")));
            };
            canteen_store::interactions::remove(
                app.store.writer(),
                canteen_store::interactions::Kind::Favourite,
                actor,
                s.id,
            )
            .await?;
            return Ok(Outcome::Handled("undo like"));
        }
        Some(inner) => return Ok(Outcome::Ignored(format!("Undo of {} is not handled yet", inner.kind.as_str()))),
        None => {
            let id = activity.object_id().ok_or_else(|| AppError::BadRequest("the Undo has no object".into()))?;
            // By id only: a re-post of theirs, or one of their follows.
            if let Some(s) = canteen_store::statuses::by_uri(app.store.reader(), id).await?
                && s.reblog_of_id.is_some()
            {
                return notes::undo_announce(app, remote, id).await;
            }
            match fstore::follow_by_uri(app.store.reader(), id).await? {
                Some((from, to)) if from == actor => (from, to),
                Some(_) => return Err(unauthorized("an actor may only undo its own Follow")),
                None => return Ok(Outcome::Ignored(format!("Undo of {id}, which is no follow known here"))),
            }
        }
    };
    let mut tx = app.store.begin().await?;
    rel::unfollow(tx.exec(), from, to).await?;
    rel::take_request(tx.exec(), from, to).await?;
    nstore::remove_follow_request(tx.exec(), to, from).await?;
    tx.commit().await?;
    app.relations_changed();
    Ok(Outcome::Handled("undo follow"))
}

/// `Create`, `Update` or `Delete` of a post; `Update` and `Delete` of the actor itself.
async fn posts(app: &App, remote: &RemoteActor, activity: &Activity) -> Result<Outcome> {
    let (actor, actor_uri) = (Id(remote.account_id), remote.uri.as_str());
    let object_id = activity.object_id().ok_or_else(|| AppError::BadRequest("the activity has no object".into()))?;
    match (&activity.kind, activity.embedded_object()) {
        (ActivityType::Delete, _) if object_id == actor_uri => {
            // The account is gone at its home: hide it and everything of it here.
            accounts::set_suspended(app.store.writer(), actor, Some(now_ms())).await?;
            app.access_changed();
            Ok(Outcome::Handled("delete actor"))
        }
        (ActivityType::Delete, _) => notes::delete(app, remote, object_id).await,
        (ActivityType::Update, Some(Object::Actor(a))) if a.id == actor_uri => {
            actors::store_actor(app, a).await?;
            Ok(Outcome::Handled("update actor"))
        }
        (ActivityType::Update, Some(Object::Post(post))) => notes::update(app, remote, post).await,
        (ActivityType::Create, Some(Object::Post(post))) if notes::is_vote(post) => {
            let voter = accounts::by_id(app.store.reader(), actor)
                .await?
                .ok_or_else(|| AppError::Internal(format!("the signing actor {actor_uri} has no account")))?;
            notes::vote(app, &voter, remote, post).await
        }
        (ActivityType::Create, Some(Object::Post(post))) => {
            let account = accounts::by_id(app.store.reader(), actor)
                .await?
                .ok_or_else(|| AppError::Internal(format!("the signing actor {actor_uri} has no account")))?;
            match notes::store(app, &account, remote, post, Admission::Delivered).await? {
                Some(_) => Ok(Outcome::Handled("create post")),
                None => Ok(Outcome::Ignored(format!("{}: nobody here follows or is addressed by it", post.id))),
            }
        }
        (kind, Some(other)) => {
            Ok(Outcome::Ignored(format!("{} of a {} is not handled", kind.as_str(), other.type_name())))
        }
        (kind, None) => Ok(Outcome::Ignored(format!("{} of {object_id} without the object embedded", kind.as_str()))),
    }
}

/// `Accept` or `Reject` of a `Follow` we sent: the pending request becomes a follow, or goes.
async fn follow_answered(app: &App, actor: Id, actor_uri: &str, activity: &Activity) -> Result<Outcome> {
    let accept = activity.kind == ActivityType::Accept;
    // Found by the `Follow` id we sent (embedded or named), else by who answers whom.
    let follow_id = match activity.inner_activity() {
        Some(inner) if inner.kind == ActivityType::Follow => inner.id.clone(),
        Some(_) => return Ok(Outcome::Ignored("Accept/Reject of something other than a Follow".into())),
        None => activity.object_id().map(str::to_string),
    };
    let pair = match &follow_id {
        Some(uri) => fstore::follow_by_uri(app.store.reader(), uri).await?,
        None => None,
    };
    let Some((from, to)) = pair else {
        return Ok(Outcome::Ignored(format!("{} of a Follow not sent from here", activity.kind.as_str())));
    };
    if to != actor {
        return Err(unauthorized(format!("{actor_uri} may only answer follows of itself")));
    }
    let mut tx = app.store.begin().await?;
    let flags = rel::take_request(tx.exec(), from, to).await?;
    let outcome = if accept {
        match flags {
            Some((reblogs, notify)) => {
                rel::follow(tx.exec(), from, to, reblogs, notify, now_ms()).await?;
                if let Some(uri) = &follow_id {
                    fstore::set_follow_uri(tx.exec(), false, from, to, uri).await?;
                }
                "follow accepted"
            }
            None => "follow accepted (already)",
        }
    } else {
        rel::unfollow(tx.exec(), from, to).await?;
        canteen_store::feeds::remove_author(tx.exec(), from, to).await?;
        "follow rejected"
    };
    tx.commit().await?;
    app.relations_changed();
    Ok(Outcome::Handled(outcome))
}

/// `Like` of a post here that the liker may see: a favourite, and its notification.
async fn like(app: &App, actor: Id, activity: &Activity) -> Result<Outcome> {
    let object = activity.object_id().ok_or_else(|| AppError::BadRequest("the Like has no object".into()))?;
    let Some(s) = canteen_store::statuses::by_uri(app.store.reader(), object).await? else {
        return Ok(Outcome::Ignored(format!("Like of {object}, which is not held here")));
    };
    let liker = accounts::by_id(app.store.reader(), actor).await?;
    let viewer = crate::viewer::Viewer::load(app, liker.as_ref()).await?;
    // Liking what one may not see is refused quietly, as a missing post would be.
    let Some(view) = crate::views::one(app, &viewer, s.id).await? else {
        return Ok(Outcome::Ignored(format!("Like of {object}, which the actor may not see")));
    };
    let kind = canteen_store::interactions::Kind::Favourite;
    let mut tx = app.store.begin().await?;
    let new = canteen_store::interactions::add(tx.exec(), kind, app.next_id().0, actor, s.id, now_ms()).await?;
    let mut event = None;
    if new && view.account.id != actor {
        event = crate::notifications::notify(app, tx.exec(), view.account.id, actor, "favourite", Some(&view.status))
            .await?;
    }
    tx.commit().await?;
    crate::notifications::publish(app, [event]);
    Ok(Outcome::Handled(if new { "like" } else { "like (again)" }))
}

/// `Block` of a local account by a remote one (or its `Undo`): recorded, and for a block the
/// follows both ways end, as they do for a local block.
async fn blocked_by(app: &App, actor: Id, activity: &Activity, on: bool) -> Result<Outcome> {
    let target = activity.object_id().and_then(|t| local_username(&app.config, t));
    let Some(target) = (match target {
        Some(name) => accounts::by_local_username(app.store.reader(), name).await?,
        None => None,
    }) else {
        return Ok(Outcome::Ignored("Block of no account here".into()));
    };
    let mut tx = app.store.begin().await?;
    if on {
        rel::block(tx.exec(), actor, target.id, now_ms()).await?;
        rel::sever(tx.exec(), actor, target.id).await?;
        canteen_store::feeds::remove_author(tx.exec(), target.id, actor).await?;
    } else {
        rel::unblock(tx.exec(), actor, target.id).await?;
    }
    tx.commit().await?;
    app.relations_changed();
    Ok(Outcome::Handled(if on { "block" } else { "undo block" }))
}
