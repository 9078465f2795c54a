//! OAuth scopes as Mastodon defines them: top-level `read`, `write`, `follow`, `push`,
//! `admin:read`, `admin:write`, and granular ones such as `read:accounts`. A token holding
//! a parent scope may do everything its children allow.

use std::fmt;

/// Every scope this server knows, for discovery documents.
pub const ALL_SCOPES: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_blocks",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_blocks",
    // Canteen's own: see and act as one's other profiles. Apps must ask for it by name, so an
    // app signed in as one profile cannot find the others.
    "canteen:profiles",
];

/// The legacy `follow` scope covers these granular scopes (Mastodon keeps it for old apps).
const FOLLOW_COVERS: &[&str] =
    &["read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
/// Kept in the order given (clients compare the granted list with what they asked for).
pub struct Scopes(Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope `{0}`")]
pub struct UnknownScope(pub String);

impl Scopes {
    /// Parses a space- (or `+`-) separated scope list. An empty list means `read`, as in Mastodon.
    pub fn parse(s: &str) -> Result<Scopes, UnknownScope> {
        let mut set: Vec<String> = Vec::new();
        for part in s.split([' ', '+', ',']).filter(|p| !p.is_empty()) {
            if !ALL_SCOPES.contains(&part) {
                return Err(UnknownScope(part.to_string()));
            }
            if !set.iter().any(|s| s == part) {
                set.push(part.to_string());
            }
        }
        if set.is_empty() {
            set.push("read".to_string());
        }
        Ok(Scopes(set))
    }

    /// Whether a token holding these scopes may use an endpoint that requires `required`.
    pub fn allows(&self, required: &str) -> bool {
        if self.0.iter().any(|s| s == required) {
            return true;
        }
        // `read:accounts` is covered by `read`; `admin:read:accounts` by `admin:read`.
        let mut parent = required;
        while let Some(idx) = parent.rfind(':') {
            parent = &parent[..idx];
            if self.0.iter().any(|s| s == parent) {
                return true;
            }
        }
        self.0.iter().any(|s| s == "follow") && FOLLOW_COVERS.contains(&required)
    }

    /// Whether every scope in `other` is one these scopes grant (used when a token asks
    /// for a subset of its app's scopes).
    pub fn covers(&self, other: &Scopes) -> bool {
        other.0.iter().all(|s| self.allows(s))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = self.iter().collect();
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_cover_children() {
        let s = Scopes::parse("read write:statuses").unwrap();
        assert!(s.allows("read:accounts"));
        assert!(s.allows("write:statuses"));
        assert!(!s.allows("write:accounts"));
        assert!(!s.allows("admin:read:accounts"));
        let admin = Scopes::parse("admin:read").unwrap();
        assert!(admin.allows("admin:read:accounts"));
        assert!(!admin.allows("read:accounts"));
    }

    #[test]
    fn follow_covers_relationship_scopes() {
        let s = Scopes::parse("follow").unwrap();
        assert!(s.allows("write:follows"));
        assert!(s.allows("read:blocks"));
        assert!(!s.allows("read:statuses"));
    }

    #[test]
    fn unknown_scope_is_an_error_and_empty_means_read() {
        assert_eq!(Scopes::parse("read wibble"), Err(UnknownScope("wibble".into())));
        assert_eq!(Scopes::parse("").unwrap().to_string(), "read");
        assert_eq!(Scopes::parse("write+read+write").unwrap().to_string(), "write read");
    }

    #[test]
    fn covers_is_subset_by_meaning() {
        let app = Scopes::parse("read write").unwrap();
        assert!(app.covers(&Scopes::parse("read:accounts write").unwrap()));
        assert!(!app.covers(&Scopes::parse("follow").unwrap()));
    }
}
