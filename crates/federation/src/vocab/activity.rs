//! Activities: what actors do, delivered to inboxes.

use serde::{Deserialize, Serialize};

use super::serde_util::{lenient_vec, one_or_many, type_enum};
use super::{Context, Object, Reference, Tag};

type_enum! {
    /// The activity types Canteen sends or handles. `EmojiReact` (Misskey, Pleroma) is read so
    /// it can be treated as a `Like`.
    ActivityType {
        Create, Update, Delete, Follow, Accept, Reject, Undo, Announce, Like, Block, Flag, Move,
        Add, Remove, EmojiReact,
    }
}

/// An activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// Absent on some transient activities (a few servers' `Like` and `Delete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// Who did it: an id, or (rarely) the actor embedded.
    pub actor: Reference,
    /// What it was done to: an id or an embedded object. Usually one; a `Flag` lists the
    /// reported account and posts.
    #[serde(
        default,
        deserialize_with = "lenient_vec",
        serialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub object: Vec<Reference>,
    /// `Move`'s new account; `Add`/`Remove`'s collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Reference>,
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// A `Flag`'s comment, or the emoji of an `EmojiReact`/Misskey `Like`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Custom emoji of a reaction.
    #[serde(default, deserialize_with = "lenient_vec", skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
}

impl Activity {
    /// A new activity with Canteen's context and nothing addressed yet.
    pub fn new(kind: ActivityType, id: impl Into<String>, actor: impl Into<String>, object: Reference) -> Activity {
        Activity {
            context: Some(Context::canteen()),
            id: Some(id.into()),
            kind,
            actor: Reference::Id(actor.into()),
            object: vec![object],
            target: None,
            to: Vec::new(),
            cc: Vec::new(),
            published: None,
            content: None,
            tag: Vec::new(),
        }
    }

    /// The actor's id.
    pub fn actor_id(&self) -> Option<&str> {
        self.actor.id()
    }

    /// The (first) object.
    pub fn object(&self) -> Option<&Reference> {
        self.object.first()
    }

    /// The (first) object's id.
    pub fn object_id(&self) -> Option<&str> {
        self.object().and_then(Reference::id)
    }

    /// The (first) object, if it was embedded.
    pub fn embedded_object(&self) -> Option<&Object> {
        self.object().and_then(Reference::object)
    }

    /// For `Undo`/`Accept`/`Reject`: the embedded activity's type, if embedded.
    pub fn inner_activity(&self) -> Option<&Activity> {
        match self.embedded_object() {
            Some(Object::Activity(a)) => Some(a),
            _ => None,
        }
    }
}
