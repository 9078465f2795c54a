//! The tolerant (de)serialisers the vocabulary types share.

use serde::de::DeserializeOwned;
use serde::ser::SerializeSeq as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The names in a `type`, which may be a string or an array of strings.
pub(crate) fn type_names(v: &Value) -> Vec<String> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// One value or an array of them (or null/absent) into a `Vec`, skipping entries that do not
/// parse: a tag of a kind we do not know must not make a whole post unreadable.
pub(crate) fn lenient_vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => Vec::new(),
        Value::Array(items) => items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect(),
        one => serde_json::from_value(one).ok().into_iter().collect(),
    })
}

/// The first entry that parses, from one value or an array (Misskey and others sometimes
/// send several `publicKey`s or `icon`s).
pub(crate) fn lenient_first<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().find_map(|v| serde_json::from_value(v).ok()),
        one => serde_json::from_value(one).ok(),
    })
}

/// Writes a list as a bare value when it has one entry (as Mastodon writes `object`,
/// `attributedTo`), else as an array.
pub(crate) fn one_or_many<S: Serializer, T: Serialize>(items: &[T], s: S) -> Result<S::Ok, S::Error> {
    match items {
        [one] => one.serialize(s),
        many => {
            let mut seq = s.serialize_seq(Some(many.len()))?;
            for item in many {
                seq.serialize_element(item)?;
            }
            seq.end()
        }
    }
}

/// An `href` given as a string, a `Link` object, or an array of either (first wins).
pub(crate) fn href<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Links::deserialize(d)?.0.into_iter().next().map(|l| l.href).ok_or_else(|| serde::de::Error::custom("no URL"))
}

/// A `Link`: an href with an optional media type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub href: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A `url` property: one or more links, each a bare string or a `Link` object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Links(pub Vec<Link>);

impl Links {
    pub fn one(href: impl Into<String>) -> Links {
        Links(vec![Link { href: href.into(), media_type: None }])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first link with an HTML media type, else the first link: the page to show people.
    pub fn html(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|l| l.media_type.as_deref().is_some_and(|m| m.starts_with("text/html")))
            .or_else(|| self.0.first())
            .map(|l| l.href.as_str())
    }
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let plain = |l: &Link| l.media_type.is_none();
        match self.0.as_slice() {
            [one] if plain(one) => s.serialize_str(&one.href),
            many => {
                let mut seq = s.serialize_seq(Some(many.len()))?;
                for link in many {
                    if plain(link) {
                        seq.serialize_element(&link.href)?;
                    } else {
                        seq.serialize_element(&serde_json::json!({
                            "type": "Link", "href": link.href, "mediaType": link.media_type
                        }))?;
                    }
                }
                seq.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Links, D::Error> {
        fn one(v: Value) -> Option<Link> {
            match v {
                Value::String(href) => Some(Link { href, media_type: None }),
                Value::Object(_) => serde_json::from_value(v).ok(),
                _ => None,
            }
        }
        Ok(Links(match Value::deserialize(d)? {
            Value::Array(items) => items.into_iter().filter_map(one).collect(),
            v => one(v).into_iter().collect(),
        }))
    }
}

/// An `Image` as used for `icon` (avatar), `image` (header) and emoji icons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type", default = "image_type")]
    pub kind: String,
    #[serde(deserialize_with = "href")]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

fn image_type() -> String {
    "Image".into()
}

impl Image {
    pub fn new(url: impl Into<String>, media_type: Option<String>) -> Image {
        Image { kind: image_type(), url: url.into(), media_type }
    }
}

/// A `type` enum: the names we know as variants, anything else kept in `Other`. Reads a string
/// or an array of strings (the first known name wins).
macro_rules! type_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            Other(String),
        }

        impl $name {
            /// The names that map to a variant.
            pub const KNOWN: &'static [&'static str] = &[$(stringify!($variant)),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                    $name::Other(s) => s,
                }
            }

            pub fn from_name(name: &str) -> $name {
                match name {
                    $(stringify!($variant) => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let names: Vec<String> = match serde_json::Value::deserialize(d)? {
                    serde_json::Value::String(s) => vec![s],
                    serde_json::Value::Array(items) => {
                        items.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
                    }
                    _ => Vec::new(),
                };
                let known = names.iter().find(|n| $name::KNOWN.contains(&n.as_str()));
                match known.or(names.first()) {
                    Some(n) => Ok($name::from_name(n)),
                    None => Err(serde::de::Error::custom(concat!("no type for ", stringify!($name)))),
                }
            }
        }
    };
}
pub(crate) use type_enum;
