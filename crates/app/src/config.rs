use canteen_domain::registration::RegistrationMode;

/// What the use cases need to know about this server. Built by the binary from its
/// configuration; tests build it directly.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Scheme, host and port every minted URI starts with, without a trailing slash.
    pub public_url: String,
    pub title: String,
    pub description: String,
    pub contact_email: String,
    pub registration_mode: RegistrationMode,
    /// Email domains allowed to sign up; empty means any.
    pub registration_allowed_domains: Vec<String>,
    /// Whether `/oauth/token` accepts `grant_type=password`.
    pub password_grant: bool,
    pub max_post_chars: usize,
    /// The guard policy from the configured file; an admin's policy set through the API
    /// takes precedence.
    pub guard_policy: Option<canteen_guard::Policy>,
    /// Where uploaded media files are kept.
    pub media_dir: std::path::PathBuf,
    /// The most options a poll may have (at least 2).
    pub poll_max_options: usize,
    /// Private or loopback hosts the federation fetcher may contact anyway (`host`,
    /// `host:port` or a CIDR). Empty (strict) in production; tests name their loopback peers.
    pub federation_allow_private: Vec<String>,
    /// "Limited federation": only servers on the admins' allow-list federate with this one.
    pub limited_federation: bool,
    /// "Authorised fetch": our collections and posts are served to servers only on a signed
    /// request from a server allowed to federate (actor documents stay open, for keys).
    pub authorized_fetch: bool,
    /// How long one federation request (fetch or delivery) may take, connection to last byte.
    pub federation_timeout: std::time::Duration,
    /// The largest remote document (actor, key) read, in bytes.
    pub federation_max_document_bytes: usize,
    /// Where email goes (password resets).
    pub mail_transport: crate::mail::MailTransport,
    /// The `From` of every message we send.
    pub mail_from: String,
    /// Followers above which an author's posts are not fanned out into each follower's home
    /// feed; home reads merge them in instead (decision 0004).
    pub home_feed_pull_threshold: u64,
}

/// A hospital trust's page may have 100,000 followers: one feed row each would be ~100 MB of
/// writes a post; 10,000 rows is a few milliseconds and megabytes.
pub const DEFAULT_HOME_FEED_PULL_THRESHOLD: u64 = 10_000;

impl AppConfig {
    pub fn new(public_url: &str) -> AppConfig {
        AppConfig {
            public_url: public_url.trim_end_matches('/').to_string(),
            title: "Canteen".into(),
            description: "A social network for health and care.".into(),
            contact_email: String::new(),
            registration_mode: RegistrationMode::Open,
            registration_allowed_domains: Vec::new(),
            password_grant: true,
            max_post_chars: 500,
            guard_policy: None,
            media_dir: std::env::temp_dir().join("canteen-media"),
            poll_max_options: 4,
            federation_allow_private: Vec::new(),
            limited_federation: false,
            authorized_fetch: false,
            federation_timeout: std::time::Duration::from_secs(10),
            federation_max_document_bytes: 1024 * 1024,
            mail_transport: crate::mail::MailTransport::Outbox(std::env::temp_dir().join("canteen-outbox")),
            mail_from: "Canteen <noreply@localhost>".into(),
            home_feed_pull_threshold: DEFAULT_HOME_FEED_PULL_THRESHOLD,
        }
    }

    /// The host (and port, if any) of the public URL: the `domain` in `user@domain`.
    pub fn domain(&self) -> String {
        url::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| self.public_url.clone())
    }

    pub fn account_uri(&self, username: &str) -> String {
        format!("{}/users/{}", self.public_url, username)
    }

    pub fn account_url(&self, username: &str) -> String {
        format!("{}/@{}", self.public_url, username)
    }

    pub fn status_uri(&self, username: &str, id: canteen_domain::Id) -> String {
        format!("{}/users/{}/statuses/{}", self.public_url, username, id)
    }
}
