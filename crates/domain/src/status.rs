//! Posts (statuses) and their audiences.

use crate::Id;

/// Who a post is for. Mastodon's four, plus Canteen's `mutuals` ("friends": people who
/// follow you and whom you follow) and `circle` (the members of one of the author's lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
    Mutuals,
    Circle(Id),
}

impl Visibility {
    /// The stored form of the kind (the circle id is stored beside it).
    pub fn kind(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
            Visibility::Mutuals => "mutuals",
            Visibility::Circle(_) => "circle",
        }
    }

    pub fn from_parts(kind: &str, circle: Option<Id>) -> Option<Visibility> {
        Some(match (kind, circle) {
            ("public", _) => Visibility::Public,
            ("unlisted", _) => Visibility::Unlisted,
            ("private", _) => Visibility::Private,
            ("direct", _) => Visibility::Direct,
            ("mutuals", _) => Visibility::Mutuals,
            ("circle", Some(id)) => Visibility::Circle(id),
            _ => return None,
        })
    }

    /// What a Mastodon client that knows only the four visibilities is told. Mutuals and
    /// circle posts are a subset of followers-only in spirit: shown as `private`, so apps
    /// never offer to boost them or show them as public.
    pub fn mastodon(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private | Visibility::Mutuals | Visibility::Circle(_) => "private",
            Visibility::Direct => "direct",
        }
    }

    /// Canteen's own name, as accepted on create: `mutuals`, `circle:<list id>`, or a Mastodon one.
    pub fn canteen(self) -> String {
        match self {
            Visibility::Circle(id) => format!("circle:{id}"),
            other => other.kind().to_string(),
        }
    }

    /// Parses `public`…`direct`, `mutuals` or `circle:<id>`.
    pub fn parse(s: &str) -> Option<Visibility> {
        match s.split_once(':') {
            Some(("circle", id)) => Id::parse(id).map(Visibility::Circle),
            Some(_) => None,
            None if s == "circle" => None,
            None => Visibility::from_parts(s, None),
        }
    }

    /// Whether anyone may re-post it (Mastodon allows boosting public and unlisted only).
    pub fn can_reblog(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }

    /// Listed on public timelines, hashtag pages and (later) search.
    pub fn is_listed(self) -> bool {
        self == Visibility::Public
    }
}

/// A post as stored. Counts and the viewer's own flags are added when it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub id: Id,
    pub account_id: Id,
    pub uri: String,
    pub url: String,
    pub text: String,
    pub content_html: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub visibility: Visibility,
    pub place: Option<String>,
    pub in_reply_to_id: Option<Id>,
    pub in_reply_to_account_id: Option<Id>,
    pub reblog_of_id: Option<Id>,
    pub application_id: Option<i64>,
    pub pinned_at: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibilities_parse_and_map_to_mastodon() {
        assert_eq!(Visibility::parse("circle:42"), Some(Visibility::Circle(Id(42))));
        assert_eq!(Visibility::parse("circle:x"), None);
        assert_eq!(Visibility::parse("circle"), None);
        assert_eq!(Visibility::parse("friends"), None);
        assert_eq!(Visibility::Mutuals.mastodon(), "private");
        assert_eq!(Visibility::Circle(Id(7)).canteen(), "circle:7");
        assert!(!Visibility::Private.can_reblog() && Visibility::Unlisted.can_reblog());
    }
}
