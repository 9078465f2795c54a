//! ActivityStreams 2.0 types for what Canteen reads and writes.
//!
//! Reading is tolerant, because every server writes its own dialect of JSON-LD-shaped JSON:
//! - `@context` may be a string, an array, or contain objects; it is kept as given ([`Context`]);
//! - `to`, `cc`, `tag`, `attachment`, `url`, `attributedTo` may be one value or an array, and
//!   list entries that do not parse are skipped rather than failing the document;
//! - `type` may be an array (the first known name wins) and unknown types are kept as
//!   [`Object::Other`] / an `Other` variant;
//! - unknown fields are ignored.
//!
//! Nothing here is JSON-LD processing: we read the compact form servers actually send, which
//! is what Mastodon does too. Writing uses Mastodon's shapes, which every server reads.

mod activity;
mod actor;
mod post;
mod serde_util;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

pub use activity::{Activity, ActivityType};
pub use actor::{Actor, ActorType, Endpoints, PublicKeyDoc};
pub use post::{
    Attachment, Collection, Emoji, Hashtag, MediaAttachment, Mention, PollOption, Post, PostType, PropertyValue,
    Source, Tag, Tombstone,
};
pub use serde_util::{Image, Link, Links};

/// The `as:Public` collection: addressed in `to`/`cc`, it makes a post public.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";
/// The other media type ActivityPub servers must accept.
pub const LD_JSON_AS: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// A JSON-LD `@context`, kept exactly as received (a string, an array, or with objects).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Context(pub Value);

impl Context {
    /// The context Canteen writes on every document: ActivityStreams, the security vocabulary
    /// (for `publicKey`) and the Mastodon extension terms we use, so JSON-LD processors (and
    /// Mastodon's own LD-signature code) expand our documents correctly.
    pub fn canteen() -> Context {
        Context(serde_json::json!([
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1",
            {
                "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
                "sensitive": "as:sensitive",
                "Hashtag": "as:Hashtag",
                "toot": "http://joinmastodon.org/ns#",
                "featured": { "@id": "toot:featured", "@type": "@id" },
                "discoverable": "toot:discoverable",
                "indexable": "toot:indexable",
                "blurhash": "toot:blurhash",
                "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" },
                "votersCount": "toot:votersCount",
                "Emoji": "toot:Emoji",
                "schema": "http://schema.org#",
                "PropertyValue": "schema:PropertyValue",
                "value": "schema:value"
            }
        ]))
    }

    /// Whether the context names `iri` (as a string entry, at top level or in an array).
    pub fn includes(&self, iri: &str) -> bool {
        match &self.0 {
            Value::String(s) => s == iri,
            Value::Array(items) => items.iter().any(|v| v.as_str() == Some(iri)),
            _ => false,
        }
    }
}

/// Any object we may receive or embed, chosen by its `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Actor(Box<Actor>),
    Post(Box<Post>),
    Tombstone(Box<Tombstone>),
    Activity(Box<Activity>),
    /// Any other type (or none), kept as received so it can be passed on or logged.
    Other(Value),
}

impl Object {
    /// Reads a document. Known types must parse as such (a `Note` without an `id` is an
    /// error); unknown types become [`Object::Other`].
    pub fn from_value(value: Value) -> Result<Object, serde_json::Error> {
        let kind = serde_util::type_names(&value);
        let is = |names: &[&str]| kind.iter().any(|k| names.contains(&k.as_str()));
        Ok(if is(ActorType::KNOWN) {
            Object::Actor(Box::new(serde_json::from_value(value)?))
        } else if is(PostType::KNOWN) {
            Object::Post(Box::new(serde_json::from_value(value)?))
        } else if is(&["Tombstone"]) {
            Object::Tombstone(Box::new(serde_json::from_value(value)?))
        } else if is(ActivityType::KNOWN) {
            Object::Activity(Box::new(serde_json::from_value(value)?))
        } else {
            Object::Other(value)
        })
    }

    /// Reads a document from JSON bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Object, serde_json::Error> {
        Object::from_value(serde_json::from_slice(bytes)?)
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Object::Actor(a) => Some(&a.id),
            Object::Post(p) => Some(&p.id),
            Object::Tombstone(t) => Some(&t.id),
            Object::Activity(a) => a.id.as_deref(),
            Object::Other(v) => v.get("id").and_then(Value::as_str),
        }
    }

    /// The `type` as written (the first, if several).
    pub fn type_name(&self) -> String {
        match self {
            Object::Actor(a) => a.kind.as_str().to_string(),
            Object::Post(p) => p.kind.as_str().to_string(),
            Object::Tombstone(_) => "Tombstone".into(),
            Object::Activity(a) => a.kind.as_str().to_string(),
            Object::Other(v) => serde_util::type_names(v).into_iter().next().unwrap_or_default(),
        }
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Object::Actor(a) => a.serialize(s),
            Object::Post(p) => p.serialize(s),
            Object::Tombstone(t) => t.serialize(s),
            Object::Activity(a) => a.serialize(s),
            Object::Other(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Object, D::Error> {
        Object::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A link to another object: its id, or the object embedded.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    Id(String),
    Object(Box<Object>),
}

impl Reference {
    /// The referenced object's id, embedded or not.
    pub fn id(&self) -> Option<&str> {
        match self {
            Reference::Id(id) => Some(id),
            Reference::Object(o) => o.id(),
        }
    }

    /// The embedded object, if there is one.
    pub fn object(&self) -> Option<&Object> {
        match self {
            Reference::Id(_) => None,
            Reference::Object(o) => Some(o),
        }
    }
}

impl From<&str> for Reference {
    fn from(id: &str) -> Reference {
        Reference::Id(id.to_string())
    }
}

impl From<Object> for Reference {
    fn from(o: Object) -> Reference {
        Reference::Object(Box::new(o))
    }
}

impl Serialize for Reference {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Reference::Id(id) => s.serialize_str(id),
            Reference::Object(o) => o.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Reference, D::Error> {
        match Value::deserialize(d)? {
            Value::String(id) => Ok(Reference::Id(id)),
            v @ Value::Object(_) => {
                Object::from_value(v).map(|o| Reference::Object(Box::new(o))).map_err(serde::de::Error::custom)
            }
            other => Err(serde::de::Error::custom(format!("expected an id or an object, got {other}"))),
        }
    }
}

/// Whether an addressing entry means the public. Besides the full IRI, compacted forms
/// (`as:Public`, `Public`) appear in the wild and mean the same.
pub fn is_public(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}

#[cfg(test)]
mod tests;
