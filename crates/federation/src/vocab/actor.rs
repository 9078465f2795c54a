//! Actors: people, organisation pages, groups, bots and server actors.

use serde::{Deserialize, Serialize};

use super::serde_util::{Image, Links, lenient_first, lenient_vec, type_enum};
use super::{Attachment, Context, Tag};

type_enum! {
    /// The actor types Canteen knows. Canteen publishes people as `Person`, organisation
    /// pages as `Organization` and groups as `Group`.
    ActorType { Person, Organization, Group, Service, Application }
}

/// An actor document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ActorType,
    /// The handle's user part (`alice` of `@alice@host`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Bio, as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The profile page for people.
    #[serde(default, skip_serializing_if = "Links::is_empty")]
    pub url: Links,
    /// Required: an actor without an inbox cannot be federated with.
    pub inbox: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    /// Pinned posts (Mastodon's `toot:featured`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// Avatar.
    #[serde(default, deserialize_with = "lenient_first", skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    /// Header image.
    #[serde(default, deserialize_with = "lenient_first", skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// The RSA key requests are signed with. Some servers send several; we keep the first
    /// that parses (and look keys up by id in any case).
    #[serde(default, deserialize_with = "lenient_first", skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyDoc>,
    /// A locked account: follows need approval.
    #[serde(default)]
    pub manually_approves_followers: bool,
    /// Whether the account may be suggested to others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    /// Whether its public posts may be indexed for full-text search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Profile fields (`PropertyValue`s); other attachment kinds are kept as they came.
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Attachment>,
    /// Custom emoji used in the name and bio.
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
    /// Accounts this one says it also is (needed before a `Move` to it is honoured).
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub also_known_as: Vec<String>,
    /// Where the account moved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

impl Actor {
    /// Where to deliver: the shared inbox if the server has one, else the personal inbox.
    pub fn preferred_inbox(&self) -> &str {
        self.endpoints.as_ref().and_then(|e| e.shared_inbox.as_deref()).unwrap_or(&self.inbox)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<String>,
}

/// `publicKey`: the actor's RSA key, in SPKI PEM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyDoc {
    /// The key id requests are signed with (`https://host/users/alice#main-key`).
    pub id: String,
    /// The actor the key belongs to; check it equals the actor an activity claims to be from.
    pub owner: String,
    pub public_key_pem: String,
}
