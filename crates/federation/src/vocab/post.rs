//! Posts (`Note`, `Question`, and the long-form types other servers send), their tags and
//! attachments, and `Tombstone`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::serde_util::{Image, Links, href, lenient_vec, one_or_many, type_enum, type_names};
use super::{Context, Reference};

type_enum! {
    /// Post-like object types. Canteen writes `Note` and `Question`; `Article` and `Page`
    /// come from blogs and link aggregators and are shown like notes, as Mastodon does.
    PostType { Note, Question, Article, Page }
}

/// A post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: PostType,
    /// The author; an array on some servers (PeerTube: the channel and the account).
    #[serde(
        default,
        deserialize_with = "lenient_vec",
        serialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attributed_to: Vec<Reference>,
    /// HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Content per language (`{"en": "<p>…</p>"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "lenient_map")]
    pub content_map: BTreeMap<String, String>,
    /// The author's source text (Misskey, Pleroma, Canteen), when sent. Some servers send it as
    /// a bare string; one that is neither is dropped rather than failing the whole post.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_source")]
    pub source: Option<Source>,
    /// A title (`Article`), or the chosen option when a `Note` is a poll vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The content warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Set when the post was edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The post's page for people.
    #[serde(default, skip_serializing_if = "Links::is_empty")]
    pub url: Links,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub cc: Vec<String>,
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Attachment>,
    /// Mastodon's thread id (`ostatus:conversation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// Poll options, single choice.
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<PollOption>,
    /// Poll options, multiple choice.
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<PollOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// When the poll closed (Mastodon sends a time; some servers send `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters_count: Option<u64>,
}

impl Post {
    /// The author's actor id: the first `attributedTo` that is a person, else the first.
    pub fn author(&self) -> Option<&str> {
        let person = self.attributed_to.iter().find(|r| match r.object() {
            Some(super::Object::Actor(a)) => a.kind == super::ActorType::Person,
            _ => false,
        });
        person.or(self.attributed_to.first()).and_then(Reference::id)
    }

    pub fn is_poll(&self) -> bool {
        !self.one_of.is_empty() || !self.any_of.is_empty()
    }

    /// The hashtags, mentions and emoji, by kind.
    pub fn mentions(&self) -> impl Iterator<Item = &Mention> {
        self.tag.iter().filter_map(|t| if let Tag::Mention(m) = t { Some(m) } else { None })
    }

    pub fn hashtags(&self) -> impl Iterator<Item = &Hashtag> {
        self.tag.iter().filter_map(|t| if let Tag::Hashtag(h) = t { Some(h) } else { None })
    }

    pub fn emojis(&self) -> impl Iterator<Item = &Emoji> {
        self.tag.iter().filter_map(|t| if let Tag::Emoji(e) = t { Some(e) } else { None })
    }
}

/// Only string values; a map with a `null` or a number in it keeps its good entries.
fn lenient_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect(),
        _ => BTreeMap::new(),
    })
}

fn lenient_source<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Source>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(content) => Some(Source { content, media_type: None }),
        other => serde_json::from_value(other).ok(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A poll option: a `Note` with a name and a count of votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollOption {
    #[serde(rename = "type", default = "note_type")]
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Collection>,
}

fn note_type() -> String {
    "Note".into()
}

impl PollOption {
    pub fn new(name: impl Into<String>, votes: u64) -> PollOption {
        PollOption { kind: note_type(), name: name.into(), replies: Some(Collection::count(votes)) }
    }

    pub fn votes(&self) -> u64 {
        self.replies.as_ref().map_or(0, |r| r.total_items)
    }
}

/// A collection reduced to its size, which is all a poll option's `replies` carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(rename = "type", default = "collection_type")]
    pub kind: String,
    #[serde(default)]
    pub total_items: u64,
}

fn collection_type() -> String {
    "Collection".into()
}

impl Collection {
    pub fn count(n: u64) -> Collection {
        Collection { kind: collection_type(), total_items: n }
    }
}

/// An entry in `tag`.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    Mention(Mention),
    Hashtag(Hashtag),
    Emoji(Emoji),
    /// Any other kind (Misskey's, a `Link` for a quote, …), kept as received.
    Other(Value),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The mentioned actor's id.
    pub href: String,
    /// `@alice@host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashtag {
    /// `#tag`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// A custom emoji: `:name:` in the text, shown as `icon`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Emoji {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `:blobcat:`.
    pub name: String,
    pub icon: Image,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

impl Serialize for Tag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, value) = match self {
            Tag::Mention(m) => ("Mention", serde_json::to_value(m)),
            Tag::Hashtag(h) => ("Hashtag", serde_json::to_value(h)),
            Tag::Emoji(e) => ("Emoji", serde_json::to_value(e)),
            Tag::Other(v) => return v.serialize(s),
        };
        with_type(kind, value.map_err(serde::ser::Error::custom)?).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        let v = Value::deserialize(d)?;
        if !v.is_object() {
            return Err(serde::de::Error::custom("expected an object"));
        }
        let kind = type_names(&v).into_iter().next().unwrap_or_default();
        let parsed = match kind.as_str() {
            "Mention" => serde_json::from_value(v.clone()).map(Tag::Mention),
            "Hashtag" => serde_json::from_value(v.clone()).map(Tag::Hashtag),
            "Emoji" => serde_json::from_value(v.clone()).map(Tag::Emoji),
            _ => return Ok(Tag::Other(v)),
        };
        // A known kind missing what we need is kept as received rather than dropped.
        Ok(parsed.unwrap_or(Tag::Other(v)))
    }
}

/// An entry in `attachment`.
#[derive(Debug, Clone, PartialEq)]
pub enum Attachment {
    /// A media file on a post (`Document`, `Image`, `Video`, `Audio`).
    Media(MediaAttachment),
    /// A profile field on an actor.
    PropertyValue(PropertyValue),
    /// Anything else, kept as received.
    Other(Value),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaAttachment {
    /// `Document` (what Mastodon writes), `Image`, `Video` or `Audio`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(deserialize_with = "href")]
    pub url: String,
    /// The alt text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Mastodon's focal point, x and y in -1..=1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_point: Option<[f64; 2]>,
    /// Misskey marks sensitive media per file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyValue {
    pub name: String,
    /// HTML.
    pub value: String,
}

const MEDIA_TYPES: &[&str] = &["Document", "Image", "Video", "Audio"];

impl Serialize for Attachment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Attachment::Media(m) => m.serialize(s),
            Attachment::PropertyValue(p) => {
                with_type("PropertyValue", serde_json::to_value(p).map_err(serde::ser::Error::custom)?).serialize(s)
            }
            Attachment::Other(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Attachment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Attachment, D::Error> {
        let v = Value::deserialize(d)?;
        if !v.is_object() {
            return Err(serde::de::Error::custom("expected an object"));
        }
        let kind = type_names(&v).into_iter().next().unwrap_or_default();
        let parsed = if MEDIA_TYPES.contains(&kind.as_str()) {
            serde_json::from_value(v.clone()).map(Attachment::Media)
        } else if kind == "PropertyValue" {
            serde_json::from_value(v.clone()).map(Attachment::PropertyValue)
        } else {
            return Ok(Attachment::Other(v));
        };
        Ok(parsed.unwrap_or(Attachment::Other(v)))
    }
}

/// Puts `"type"` first, as people reading the JSON expect.
fn with_type(kind: &str, value: Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("type".into(), Value::String(kind.into()));
    if let Value::Object(fields) = value {
        out.extend(fields);
    }
    Value::Object(out)
}

/// What a deleted object becomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<super::Context>,
    pub id: String,
    #[serde(rename = "type", default = "tombstone_type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
}

fn tombstone_type() -> String {
    "Tombstone".into()
}

impl Tombstone {
    pub fn new(id: impl Into<String>) -> Tombstone {
        Tombstone { context: None, id: id.into(), kind: tombstone_type(), former_type: None, deleted: None }
    }
}
