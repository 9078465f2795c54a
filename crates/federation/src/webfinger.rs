//! WebFinger (RFC 7033): the `resource` a client asks for, and the JRD document answered.
//!
//! Mastodon looks accounts up as `acct:user@host`; some clients send the handle bare
//! (`user@host`, `@user@host`) or the actor/profile URL, and we answer those too.

use serde::{Deserialize, Serialize};

use crate::vocab::ACTIVITY_JSON;

/// `rel` of the link to the actor document.
pub const REL_SELF: &str = "self";
/// `rel` of the link to the profile page.
pub const REL_PROFILE_PAGE: &str = "http://webfinger.net/rel/profile-page";
/// `rel` of the remote-follow template (`{uri}` is replaced with the account to follow).
pub const REL_SUBSCRIBE: &str = "http://ostatus.org/schema/1.0/subscribe";
/// The JRD media type.
pub const JRD_JSON: &str = "application/jrd+json";

/// What a `resource` parameter names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `acct:user@host`; `host` is lowercased and may carry a port.
    Acct { user: String, host: String },
    /// An `http(s)` URL (an actor id or a profile page).
    Url(String),
}

impl Resource {
    /// The canonical `acct:` form, for `subject`.
    pub fn to_acct(&self) -> Option<String> {
        match self {
            Resource::Acct { user, host } => Some(format!("acct:{user}@{host}")),
            Resource::Url(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebfingerError {
    #[error("empty resource")]
    Empty,
    #[error("resource {0:?} is not acct:user@host or an http(s) URL")]
    Unrecognised(String),
    #[error("resource {0:?} has an empty user or host")]
    EmptyPart(String),
    #[error("resource {0:?} has characters a handle cannot contain")]
    BadCharacters(String),
}

/// Parses a WebFinger `resource` (already URL-decoded from the query string).
pub fn parse_resource(resource: &str) -> Result<Resource, WebfingerError> {
    let r = resource.trim();
    if r.is_empty() {
        return Err(WebfingerError::Empty);
    }
    if let Some(rest) = strip_prefix_ignore_case(r, "acct:") {
        return parse_handle(rest, resource);
    }
    if strip_prefix_ignore_case(r, "https://").is_some() || strip_prefix_ignore_case(r, "http://").is_some() {
        return match url::Url::parse(r) {
            Ok(u) if u.host_str().is_some() => Ok(Resource::Url(u.to_string())),
            _ => Err(WebfingerError::Unrecognised(resource.to_string())),
        };
    }
    // A bare handle, as some clients send.
    if r.contains('@') && !r.contains(':') || r.starts_with('@') {
        return parse_handle(r.strip_prefix('@').unwrap_or(r), resource);
    }
    Err(WebfingerError::Unrecognised(resource.to_string()))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).and_then(|_| s.get(prefix.len()..))
}

fn parse_handle(handle: &str, original: &str) -> Result<Resource, WebfingerError> {
    // RFC 7565 lets the user part be percent-encoded (`acct:a%40b@host`); the last `@` splits.
    let (user, host) = handle.rsplit_once('@').ok_or_else(|| WebfingerError::Unrecognised(original.to_string()))?;
    let user = percent_encoding::percent_decode_str(user)
        .decode_utf8()
        .map_err(|_| WebfingerError::BadCharacters(original.to_string()))?;
    let user = user.strip_prefix('@').unwrap_or(&user).to_string();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if user.is_empty() || host.is_empty() {
        return Err(WebfingerError::EmptyPart(original.to_string()));
    }
    let bad_user = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '@' | '/' | '?' | '#');
    let host_ok = host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if user.chars().any(bad_user) || !host_ok {
        return Err(WebfingerError::BadCharacters(original.to_string()));
    }
    Ok(Resource::Acct { user, host })
}

/// A JSON Resource Descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jrd {
    pub subject: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub links: Vec<JrdLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JrdLink {
    pub rel: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Jrd {
    /// The document for a local account, shaped as Mastodon's: subject `acct:user@host`,
    /// aliases the profile page and actor id, links to both and the remote-follow template.
    /// `subscribe_template` is e.g. `https://host/authorize_interaction?uri={uri}`.
    pub fn for_account(
        user: &str,
        host: &str,
        actor_id: &str,
        profile_url: &str,
        subscribe_template: Option<&str>,
    ) -> Jrd {
        let mut links = vec![
            JrdLink {
                rel: REL_PROFILE_PAGE.into(),
                media_type: Some("text/html".into()),
                href: Some(profile_url.into()),
                template: None,
            },
            JrdLink {
                rel: REL_SELF.into(),
                media_type: Some(ACTIVITY_JSON.into()),
                href: Some(actor_id.into()),
                template: None,
            },
        ];
        if let Some(template) = subscribe_template {
            links.push(JrdLink {
                rel: REL_SUBSCRIBE.into(),
                media_type: None,
                href: None,
                template: Some(template.into()),
            });
        }
        let mut aliases = vec![profile_url.to_string()];
        if actor_id != profile_url {
            aliases.push(actor_id.to_string());
        }
        Jrd { subject: format!("acct:{user}@{host}"), aliases, links }
    }

    /// The actor document's URL: the `self` link of an ActivityPub media type.
    pub fn actor_url(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.rel == REL_SELF && l.media_type.as_deref().is_some_and(is_activitypub_media_type))
            .and_then(|l| l.href.as_deref())
    }

    pub fn profile_page(&self) -> Option<&str> {
        self.links.iter().find(|l| l.rel == REL_PROFILE_PAGE).and_then(|l| l.href.as_deref())
    }

    pub fn subscribe_template(&self) -> Option<&str> {
        self.links.iter().find(|l| l.rel == REL_SUBSCRIBE).and_then(|l| l.template.as_deref())
    }
}

/// `application/activity+json`, or `application/ld+json` with the ActivityStreams profile.
pub fn is_activitypub_media_type(media_type: &str) -> bool {
    let lower = media_type.to_ascii_lowercase();
    let essence = lower.split(';').next().unwrap_or("").trim();
    essence == ACTIVITY_JSON
        || (essence == "application/ld+json" && lower.contains("https://www.w3.org/ns/activitystreams"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(user: &str, host: &str) -> Resource {
        Resource::Acct { user: user.into(), host: host.into() }
    }

    #[test]
    fn parses_the_forms_clients_send() {
        assert_eq!(parse_resource("acct:alice@Canteen.Example"), Ok(acct("alice", "canteen.example")));
        assert_eq!(parse_resource("ACCT:alice@canteen.example"), Ok(acct("alice", "canteen.example")));
        assert_eq!(parse_resource("acct:@alice@canteen.example"), Ok(acct("alice", "canteen.example")));
        assert_eq!(parse_resource("alice@canteen.example"), Ok(acct("alice", "canteen.example")));
        assert_eq!(parse_resource("@alice@localhost:3000"), Ok(acct("alice", "localhost:3000")));
        assert_eq!(parse_resource("acct:a%2Eb@h.example."), Ok(acct("a.b", "h.example")));
        assert_eq!(
            parse_resource("https://canteen.example/users/alice"),
            Ok(Resource::Url("https://canteen.example/users/alice".into()))
        );
        assert_eq!(acct("a", "h").to_acct().as_deref(), Some("acct:a@h"));
    }

    #[test]
    fn refuses_what_is_not_a_handle() {
        assert_eq!(parse_resource(""), Err(WebfingerError::Empty));
        assert!(matches!(parse_resource("acct:alice"), Err(WebfingerError::Unrecognised(_))));
        assert!(matches!(parse_resource("acct:@host"), Err(WebfingerError::EmptyPart(_))));
        assert!(matches!(parse_resource("acct:alice@"), Err(WebfingerError::EmptyPart(_))));
        assert!(matches!(parse_resource("acct:al ice@host"), Err(WebfingerError::BadCharacters(_))));
        assert!(matches!(parse_resource("acct:alice@ho/st"), Err(WebfingerError::BadCharacters(_))));
        assert!(matches!(parse_resource("mailto:alice@host"), Err(WebfingerError::Unrecognised(_))));
        assert!(matches!(parse_resource("https://"), Err(WebfingerError::Unrecognised(_))));
    }

    #[test]
    fn builds_and_reads_back_a_mastodon_shaped_jrd() {
        let jrd = Jrd::for_account(
            "alice",
            "canteen.example",
            "https://canteen.example/users/alice",
            "https://canteen.example/@alice",
            Some("https://canteen.example/authorize_interaction?uri={uri}"),
        );
        let json = serde_json::to_value(&jrd).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "subject": "acct:alice@canteen.example",
                "aliases": ["https://canteen.example/@alice", "https://canteen.example/users/alice"],
                "links": [
                    {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": "https://canteen.example/@alice"},
                    {"rel": "self", "type": "application/activity+json", "href": "https://canteen.example/users/alice"},
                    {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": "https://canteen.example/authorize_interaction?uri={uri}"}
                ]
            })
        );
        let back: Jrd = serde_json::from_value(json).unwrap();
        assert_eq!(back, jrd);
        assert_eq!(back.actor_url(), Some("https://canteen.example/users/alice"));
        assert_eq!(back.profile_page(), Some("https://canteen.example/@alice"));
        assert_eq!(back.subscribe_template(), Some("https://canteen.example/authorize_interaction?uri={uri}"));
    }

    #[test]
    fn finds_the_actor_in_other_servers_documents() {
        // GoToSocial/Misskey-style: ld+json self link first, extra properties, no aliases.
        let jrd: Jrd = serde_json::from_str(
            r#"{"subject":"acct:bo@g.example","properties":{"x":"y"},"links":[
                {"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"https://g.example/users/bo"},
                {"rel":"http://webfinger.net/rel/avatar","type":"image/png","href":"https://g.example/a.png"}]}"#,
        )
        .unwrap();
        assert_eq!(jrd.actor_url(), Some("https://g.example/users/bo"));
        assert_eq!(jrd.profile_page(), None);
        assert!(!is_activitypub_media_type("application/ld+json"));
        assert!(is_activitypub_media_type("application/activity+json; charset=utf-8"));
    }
}
