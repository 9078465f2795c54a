//! Finding accounts and posts of other servers on purpose: by handle (`user@host`, through
//! WebFinger) or by URL (the actor or post document itself). Search's `resolve=true` and the
//! lookup API use this; incoming activities use `actors` directly.
//!
//! WebFinger goes over https, as every server expects — except to hosts the operator named in
//! `federation_allow_private`, which are loopback or private test peers served over plain http.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::Status;
use canteen_federation::vocab::{Object, Post};
use canteen_federation::webfinger::Jrd;
use canteen_store::accounts;

use super::actors;
use super::fetch::Fetcher;
use super::notes::{self, Admission};
use crate::{App, AppError, Result};

/// What a URL named.
#[derive(Debug, Clone)]
pub enum Resolved {
    Account(Account),
    Status(Status),
}

fn not_found(what: &str, why: impl std::fmt::Display) -> AppError {
    tracing::info!(%what, reason = %why, "could not resolve");
    AppError::NotFound(format!("Could not find {what}: {why}"))
}

/// The account `user@host` names: ours, one already known, or fetched through WebFinger.
pub async fn account_by_handle(app: &App, handle: &str) -> Result<Account> {
    let handle = handle.trim().trim_start_matches('@');
    let (user, host) = handle
        .split_once('@')
        .filter(|(u, h)| !u.is_empty() && !h.is_empty() && !h.contains(['/', '@', '?', '#']))
        .ok_or_else(|| AppError::BadRequest(format!("`{handle}` is not a handle of the form user@host")))?;
    if host.eq_ignore_ascii_case(&app.config.domain()) {
        return accounts::by_local_username(app.store.reader(), user)
            .await?
            .ok_or_else(|| not_found(handle, "there is no such account here"));
    }
    if let Some(known) = accounts::by_username_domain(app.store.reader(), user, host).await? {
        return Ok(known);
    }
    super::domains::require_permit(app, host).await?;
    let scheme = if plain_http_allowed(app, host) { "http" } else { "https" };
    let resource = format!("acct:{user}@{host}");
    let url = format!("{scheme}://{host}/.well-known/webfinger?resource={}", urlencode(&resource));
    let fetcher = Fetcher::for_app(app).await;
    let (_, json) = fetcher.get_jrd(&url).await.map_err(|e| not_found(handle, e))?;
    let jrd: Jrd =
        serde_json::from_value(json).map_err(|e| not_found(handle, format!("a bad WebFinger answer: {e}")))?;
    let actor_url = jrd.actor_url().ok_or_else(|| not_found(handle, "WebFinger names no ActivityPub actor"))?;
    let (account, _) = actors::actor_by_uri(app, actor_url).await?;
    Ok(account)
}

/// The account or post a URL names, fetched and stored if not known. Posts are kept only if
/// public or unlisted; anything else is "not found".
pub async fn by_url(app: &App, url: &str) -> Result<Resolved> {
    if let Some(s) = canteen_store::statuses::by_uri(app.store.reader(), url).await? {
        return Ok(Resolved::Status(s));
    }
    if let Some(id) = canteen_store::federation::account_id_by_uri(app.store.reader(), url).await?
        && let Some(a) = accounts::by_id(app.store.reader(), id).await?
    {
        return Ok(Resolved::Account(a));
    }
    if super::is_local_uri(&app.config, url) {
        return Err(not_found(url, "nothing here has that address"));
    }
    let domain = url::Url::parse(url).ok().and_then(|u| super::authority_of(&u));
    super::domains::require_permit(app, &domain.ok_or_else(|| not_found(url, "not a URL"))?).await?;
    let (fetched, json) = Fetcher::for_app(app).await.get_json(url).await.map_err(|e| not_found(url, e))?;
    match Object::from_value(json) {
        Ok(Object::Actor(actor)) => {
            let (account, _) = actors::actor_by_uri(app, &actor.id).await?;
            Ok(Resolved::Account(account))
        }
        Ok(Object::Post(post)) => match store_fetched_post(app, &fetched, &post).await? {
            Some(s) => Ok(Resolved::Status(s)),
            None => Err(not_found(url, "the post is not public")),
        },
        Ok(other) => Err(not_found(url, format!("a {} is neither an account nor a post", other.type_name()))),
        Err(e) => Err(not_found(url, format!("not an ActivityStreams document: {e}"))),
    }
}

/// A fetched post, stored if public or unlisted (`None` otherwise). The document must come
/// from where its id says, or any server could plant posts.
async fn store_fetched_post(app: &App, fetched: &url::Url, post: &Post) -> Result<Option<Status>> {
    if url::Url::parse(&post.id).ok().map(|u| u.origin()) != Some(fetched.origin()) {
        return Err(not_found(&post.id, "the post was served by another server than its own"));
    }
    let author = post.author().ok_or_else(|| not_found(&post.id, "the post has no author"))?.to_string();
    let (account, remote) = actors::actor_by_uri(app, &author).await?;
    notes::store(app, &account, &remote, post, Admission::Fetched).await
}

/// The job that fetches the posts a reply from another server answers, when they are not
/// here yet, so its conversation can be read: up the chain, at most [`MAX_ANCESTORS`] posts,
/// each kept only if public or unlisted. Payload: `{"status": id, "parent": uri}`.
pub const FETCH_ANCESTORS_JOB: &str = "federation.fetch_ancestors";
pub const MAX_ANCESTORS: usize = 5;

#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct AncestorsPayload {
    pub status: i64,
    pub parent: String,
}

pub async fn fetch_ancestors(app: &App, payload: &str) -> std::result::Result<(), String> {
    let p: AncestorsPayload = serde_json::from_str(payload).map_err(|e| format!("bad payload: {e}"))?;
    let (mut child, mut parent_uri) = (Id(p.status), p.parent);
    for _ in 0..MAX_ANCESTORS {
        // Known already (or arrived meanwhile): link to it and stop.
        if let Some(parent) =
            canteen_store::statuses::by_uri(app.store.reader(), &parent_uri).await.map_err(|e| e.to_string())?
        {
            canteen_store::statuses::set_parent(app.store.writer(), child, parent.id, parent.account_id)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(());
        }
        let Some(domain) = url::Url::parse(&parent_uri).ok().and_then(|u| super::authority_of(&u)) else {
            return Ok(());
        };
        if super::domains::permit(app, &domain).await.map_err(|e| e.to_string())?.refused().is_some() {
            return Ok(());
        }
        // A post that cannot be had (gone, private, not a post) ends the walk; only a network
        // failure is worth another try.
        let (fetched, json) = match Fetcher::for_app(app).await.get_json(&parent_uri).await {
            Ok(found) => found,
            Err(e) => {
                tracing::info!(uri = %parent_uri, error = %e, "ancestor not fetched");
                return Ok(());
            }
        };
        let Ok(Object::Post(post)) = Object::from_value(json) else { return Ok(()) };
        let Ok(Some(parent)) = store_fetched_post(app, &fetched, &post).await else { return Ok(()) };
        canteen_store::statuses::set_parent(app.store.writer(), child, parent.id, parent.account_id)
            .await
            .map_err(|e| e.to_string())?;
        match post.in_reply_to.as_ref().and_then(|r| r.id()) {
            Some(next) if parent.in_reply_to_id.is_none() && !super::is_local_uri(&app.config, next) => {
                (child, parent_uri) = (parent.id, next.to_string());
            }
            _ => return Ok(()),
        }
    }
    Ok(())
}

fn plain_http_allowed(app: &App, host: &str) -> bool {
    let bare = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    app.config
        .federation_allow_private
        .iter()
        .any(|entry| entry.eq_ignore_ascii_case(host) || entry.eq_ignore_ascii_case(bare))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
