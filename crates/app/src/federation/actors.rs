//! Remote actors: fetched through the [`Fetcher`], stored as `accounts` rows with a domain
//! (plus the federation columns), and their public keys looked up by key id.

use canteen_domain::Id;
use canteen_domain::account::{Account, ProfileMode};
use canteen_federation::keys::PublicKey;
use canteen_federation::vocab::{Actor, ActorType, Object};
use canteen_store::accounts;
use canteen_store::federation::{self as fstore, RemoteActor};
use url::Url;

use super::authority_of;
use super::fetch::{FetchError, Fetcher};
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// How long a fetched actor document (and its key) is trusted before a signature that fails
/// with it may trigger a fresh fetch (the key may have been rotated). Bounds how often a
/// stream of bad signatures can make us fetch.
const REFETCH_AFTER_MS: i64 = 5 * 60 * 1000;

/// Why a key could not be found.
#[derive(Debug, thiserror::Error)]
pub enum KeyLookupError {
    #[error("could not fetch {0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<canteen_store::StoreError> for KeyLookupError {
    fn from(e: canteen_store::StoreError) -> Self {
        KeyLookupError::App(e.into())
    }
}

/// Where an account had to be fetched on someone's behalf (search, a re-post): a fetch that
/// failed means "not found" to them.
impl From<KeyLookupError> for AppError {
    fn from(e: KeyLookupError) -> AppError {
        match e {
            KeyLookupError::App(inner) => inner,
            other => AppError::NotFound(format!("Could not fetch the account: {other}")),
        }
    }
}

/// A remote actor's key, with the actor it belongs to.
#[derive(Debug, Clone)]
pub struct ActorKey {
    pub key: PublicKey,
    /// The key's owner: the actor id an activity signed with it must name.
    pub owner: String,
    pub account_id: Id,
    /// When the actor document this came from was fetched.
    pub fetched_at: i64,
    /// The owner as stored (inbox, followers collection), read with the key, so the inbox
    /// needs no second read of it.
    pub actor: RemoteActor,
}

/// The key `key_id` names: from the store if known (and `refresh` is false), else fetched
/// from its actor document (`key_id` without the fragment, which is the actor for Mastodon
/// and nearly everyone; a separate key document with an `owner` is followed to the owner).
pub async fn key(app: &App, key_id: &str, refresh: bool) -> std::result::Result<ActorKey, KeyLookupError> {
    // Read (and its PEM parsed) for every signed inbox request: kept in memory while the
    // access epoch holds, for a minute at most (`memo`). A key that no longer verifies is
    // fetched again (`refresh`), which replaces the kept one.
    let epoch = app.access_epoch();
    if !refresh && let Some(k) = app.signer_keys.get(key_id, epoch) {
        return Ok(k);
    }
    let found = key_uncached(app, key_id, refresh).await?;
    app.signer_keys.put(key_id.to_string(), epoch, found.clone());
    Ok(found)
}

async fn key_uncached(app: &App, key_id: &str, refresh: bool) -> std::result::Result<ActorKey, KeyLookupError> {
    if !refresh && let Some(actor) = fstore::remote_actor_by_key_id(app.store.reader(), key_id).await? {
        return stored_key(actor);
    }
    let fetcher = Fetcher::for_app(app).await;
    let doc_url = key_id.split('#').next().unwrap_or(key_id);
    permitted(app, doc_url).await?;
    let (url, json) = fetcher.get_json(doc_url).await?;
    let actor = match Object::from_value(json.clone()) {
        Ok(Object::Actor(actor)) => *actor,
        _ => {
            // A key document (`CryptographicKey`, Misskey/GoToSocial style): its owner is the actor.
            let owner = json
                .get("owner")
                .and_then(|o| o.as_str())
                .ok_or_else(|| KeyLookupError::Invalid(format!("{url} is neither an actor nor a key with an owner")))?;
            same_origin(&url, owner)?;
            let (owner_url, owner_json) = fetcher.get_json(owner).await?;
            match Object::from_value(owner_json) {
                Ok(Object::Actor(actor)) => {
                    same_origin(&owner_url, &actor.id)?;
                    *actor
                }
                _ => return Err(KeyLookupError::Invalid(format!("the key's owner {owner} is not an actor"))),
            }
        }
    };
    same_origin(&url, &actor.id)?;
    let (_, remote) = store_actor(app, &actor).await?;
    if remote.public_key_id.as_deref() != Some(key_id) {
        return Err(KeyLookupError::Invalid(format!("the actor {} does not publish the key {key_id}", actor.id)));
    }
    stored_key(remote)
}

fn stored_key(actor: RemoteActor) -> std::result::Result<ActorKey, KeyLookupError> {
    let pem = actor.public_key_pem.as_deref().ok_or_else(|| KeyLookupError::Invalid("no key stored".into()))?;
    let key = PublicKey::from_pem(pem).map_err(|e| KeyLookupError::Invalid(format!("the actor's key: {e}")))?;
    Ok(ActorKey {
        key,
        owner: actor.uri.clone(),
        account_id: Id(actor.account_id),
        fetched_at: actor.last_fetched_at.unwrap_or(0),
        actor,
    })
}

/// Whether a stored key is old enough that a failing signature justifies fetching it again.
pub fn may_refetch(key: &ActorKey) -> bool {
    now_ms() - key.fetched_at > REFETCH_AFTER_MS
}

/// A document must come from the server its id names, or any server could speak for any actor.
fn same_origin(fetched: &Url, id: &str) -> std::result::Result<(), KeyLookupError> {
    let id_url = Url::parse(id).map_err(|_| KeyLookupError::Invalid(format!("{id} is not a URL")))?;
    if id_url.origin() != fetched.origin() {
        return Err(KeyLookupError::Invalid(format!("{fetched} served a document for {id}, another origin")));
    }
    Ok(())
}

/// The remote actor with this id: from the store, or fetched and stored.
pub async fn actor_by_uri(app: &App, uri: &str) -> std::result::Result<(Account, RemoteActor), KeyLookupError> {
    if let Some(remote) = fstore::remote_actor_by_uri(app.store.reader(), uri).await?
        && let Some(account) = accounts::by_id(app.store.reader(), Id(remote.account_id)).await?
    {
        return Ok((account, remote));
    }
    permitted(app, uri).await?;
    let (url, json) = Fetcher::for_app(app).await.get_json(uri).await?;
    match Object::from_value(json) {
        Ok(Object::Actor(actor)) => {
            same_origin(&url, &actor.id)?;
            Ok(store_actor(app, &actor).await?)
        }
        _ => Err(KeyLookupError::Invalid(format!("{uri} is not an actor"))),
    }
}

/// The remote actor with this id, fetched afresh (never from the store) and stored, with
/// its document — for what only the current document can show (a `Move`'s `alsoKnownAs`).
pub async fn refetch(app: &App, uri: &str) -> std::result::Result<(Account, Actor), KeyLookupError> {
    permitted(app, uri).await?;
    let (url, json) = Fetcher::for_app(app).await.get_json(uri).await?;
    match Object::from_value(json) {
        Ok(Object::Actor(actor)) => {
            same_origin(&url, &actor.id)?;
            let (account, _) = store_actor(app, &actor).await?;
            Ok((account, *actor))
        }
        _ => Err(KeyLookupError::Invalid(format!("{uri} is not an actor"))),
    }
}

/// Nothing is fetched from a server that may not federate with us.
async fn permitted(app: &App, url: &str) -> std::result::Result<(), KeyLookupError> {
    let domain = Url::parse(url).ok().and_then(|u| authority_of(&u));
    let domain = domain.ok_or_else(|| KeyLookupError::Invalid(format!("{url} is not a URL")))?;
    if let Some(why) = super::domains::permit(app, &domain).await?.refused() {
        return Err(KeyLookupError::App(AppError::Forbidden(why.to_string())));
    }
    Ok(())
}

/// Creates or refreshes the account row of a fetched actor document.
pub async fn store_actor(app: &App, actor: &Actor) -> Result<(Account, RemoteActor)> {
    // A new actor's first activities often arrive together (a server delivers to several
    // inboxes here at once, or a burst of posts): each request fetches the document, and all
    // but the first to commit find the account inserted under them. Those try once more,
    // and then update the row the first one made.
    let stored = match store_actor_once(app, actor).await? {
        Some(stored) => stored,
        None => store_actor_once(app, actor)
            .await?
            .ok_or_else(|| AppError::Unprocessable(format!("Already exists ({} is stored twice)", actor.id)))?,
    };
    // The kept signing key carries the actor as it was stored: read it afresh next time.
    if let Some(key_id) = &stored.1.public_key_id {
        app.signer_keys.forget(key_id);
    }
    Ok(stored)
}

/// [`store_actor`], or `None` if another request inserted the same account first.
async fn store_actor_once(app: &App, actor: &Actor) -> Result<Option<(Account, RemoteActor)>> {
    if super::is_local_uri(&app.config, &actor.id) {
        return Err(AppError::Forbidden(format!("{} is an id of this server", actor.id)));
    }
    let id_url =
        Url::parse(&actor.id).map_err(|_| AppError::BadRequest(format!("actor id {} is not a URL", actor.id)))?;
    let domain =
        authority_of(&id_url).ok_or_else(|| AppError::BadRequest(format!("actor id {} has no host", actor.id)))?;
    let now = now_ms();
    let username = actor
        .preferred_username
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| id_url.path_segments().and_then(|mut s| s.next_back()).map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let mut tx = app.store.begin().await?;
    let existing = match fstore::account_id_by_uri(tx.exec(), &actor.id).await? {
        Some(id) => accounts::by_id(tx.exec(), id).await?,
        None => None,
    };
    let mut account = existing.clone().unwrap_or_else(|| new_remote_account(app.next_id(), &username, &domain, now));
    account.uri = actor.id.clone();
    account.url = actor.url.html().map(str::to_string).unwrap_or_else(|| actor.id.clone());
    account.display_name = actor.name.clone().unwrap_or_default();
    // A bio is kept as its text: profiles here are plain text.
    account.note = actor.summary.as_deref().map(super::notes::plain_text).unwrap_or_default();
    // A server whose media is rejected shows none here, not even avatars.
    let media_ok = match super::domains::permit(app, &domain).await? {
        super::domains::Permit::Allowed { reject_media, .. } => !reject_media,
        super::domains::Permit::Refused(why) => return Err(AppError::Forbidden(why)),
    };
    account.avatar_url = actor.icon.as_ref().filter(|_| media_ok).map(|i| i.url.clone());
    account.header_url = actor.image.as_ref().filter(|_| media_ok).map(|i| i.url.clone());
    account.bot = matches!(actor.kind, ActorType::Service | ActorType::Application);
    account.also_known_as = actor.also_known_as.iter().take(20).cloned().collect();
    account.moved_to = actor.moved_to.clone();
    account.kind = match actor.kind {
        ActorType::Group => canteen_domain::account::AccountKind::Group,
        ActorType::Organization => canteen_domain::account::AccountKind::Organization,
        _ => canteen_domain::account::AccountKind::Person,
    };
    account.privacy.locked = actor.manually_approves_followers;
    account.privacy.discoverable = actor.discoverable.unwrap_or(false);
    account.privacy.indexable = actor.indexable.unwrap_or(false);
    account.updated_at = now;
    if existing.is_some() {
        accounts::update(tx.exec(), &account).await?;
    } else {
        match accounts::insert(tx.exec(), &account).await {
            Err(canteen_store::StoreError::Conflict(_)) => return Ok(None),
            other => other?,
        }
    }
    let remote = RemoteActor {
        account_id: account.id.0,
        uri: actor.id.clone(),
        inbox_url: Some(actor.inbox.clone()),
        shared_inbox_url: actor.endpoints.as_ref().and_then(|e| e.shared_inbox.clone()),
        followers_url: actor.followers.clone(),
        following_url: actor.following.clone(),
        public_key_id: actor.public_key.as_ref().map(|k| k.id.clone()),
        public_key_pem: actor.public_key.as_ref().map(|k| k.public_key_pem.clone()),
        last_fetched_at: Some(now),
    };
    if let Some(key) = &actor.public_key
        && key.owner != actor.id
    {
        return Err(AppError::BadRequest(format!(
            "the key {} of {} names another owner, {}",
            key.id, actor.id, key.owner
        )));
    }
    fstore::set_remote_actor(tx.exec(), &remote).await?;
    tx.commit().await?;
    // Cached live posts carry the profile as it was: build them afresh.
    if existing.is_some() {
        app.relations_changed();
    }
    Ok(Some((account, remote)))
}

fn new_remote_account(id: Id, username: &str, domain: &str, now: i64) -> Account {
    // Profile modes are a local notion; remote accounts take the public one's settings and
    // then what their actor document says.
    Account { domain: Some(domain.to_string()), ..Account::new_blank(id, username, ProfileMode::Professional, now) }
}

#[cfg(test)]
mod tests {
    use super::super::notes::plain_text;

    #[test]
    fn bios_keep_their_text_only() {
        assert_eq!(plain_text("<p>Nurse &amp; <b>runner</b></p><p>Leeds<br>UK</p>"), "Nurse & runner\n\nLeeds\nUK");
    }
}
