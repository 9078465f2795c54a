//! Configuration: command-line flags > environment (`CANTEEN_*`, `DATABASE_URL`) >
//! `canteen.toml` > defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use canteen_app::AppConfig;
use canteen_domain::registration::RegistrationMode;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

/// Every configuration key, with its default. Each is also `CANTEEN_<KEY>` in the
/// environment and `key = …` in `canteen.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// Folder for the SQLite database and local files; created if missing.
    pub data_dir: PathBuf,
    /// The URL people and other servers reach this one at; every minted URI starts with it.
    /// Default: `http://` + `listen`.
    pub public_url: Option<String>,
    /// `sqlite://FILE` or `postgres://…`. Default: `canteen.db` in `data_dir`.
    pub database_url: Option<String>,
    /// Connections per pool.
    pub database_max_connections: u32,
    /// SQLite durability: `full` (fsync every commit; survives power loss) or `normal`
    /// (survives a crash of the process; faster).
    pub sqlite_synchronous: String,
    pub title: String,
    pub description: String,
    pub contact_email: String,
    /// `open`, `approval` or `closed`.
    pub registration_mode: String,
    /// Email domains allowed to sign up (e.g. `nhs.net`); empty allows any.
    #[serde(deserialize_with = "string_or_list")]
    pub registration_allowed_domains: Vec<String>,
    /// Whether apps may sign in with `grant_type=password`.
    pub password_grant: bool,
    pub max_post_chars: usize,
    /// The most options a poll may have (Mastodon's default is 4).
    pub poll_max_options: usize,
    /// Followers above which an author's posts are merged into home timelines when read
    /// instead of being written into every follower's feed.
    pub home_feed_pull_threshold: u64,
    /// A JSON file with the organisation's guard policy (see docs/guard.md). An admin's
    /// policy set through the API replaces it. Default: the built-in policy.
    pub guard_policy_file: Option<PathBuf>,
    /// Private, loopback or otherwise internal hosts the federation fetcher may contact
    /// anyway: `host`, `host:port` or a CIDR. Empty (strict) unless peers live on a private
    /// network; tests name their loopback peers.
    #[serde(deserialize_with = "string_or_list")]
    pub federation_allow_private: Vec<String>,
    /// "Limited federation": federate only with the servers admins put on the allow-list
    /// (`/api/v1/admin/domain_allows`). Default false: every server not blocked.
    pub limited_federation: bool,
    /// "Authorised fetch" (Mastodon's secure mode): collections and posts are served to other
    /// servers only on a signed request. Default false.
    pub authorized_fetch: bool,
    /// How email (password resets) leaves: `file` writes each message as an `.eml` file in
    /// `outbox/` in `data_dir` (the embedded default); `smtp` hands it to the relay at
    /// `smtp_host`:`smtp_port` (plain SMTP: a relay on this machine or private network).
    pub mail_transport: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The `From` of our email. Default: `<title> <noreply@host of public_url>`.
    pub mail_from: Option<String>,
    /// Whether request rate limits apply.
    pub rate_limits: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// A `tracing` filter such as `info` or `canteen=debug,info`.
    pub log_level: String,
    /// Seconds to let in-flight requests finish after SIGTERM/SIGINT.
    pub shutdown_grace_seconds: u64,
    /// Job workers in this process (fan-out, indexing, deliveries): each runs one job (or
    /// one batch) at a time, so several keep the database and remote servers busy at once.
    pub job_workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./canteen-data"),
            public_url: None,
            database_url: None,
            database_max_connections: 8,
            sqlite_synchronous: "full".into(),
            title: "Canteen".into(),
            description: "A social network for health and care.".into(),
            contact_email: String::new(),
            registration_mode: "open".into(),
            registration_allowed_domains: Vec::new(),
            password_grant: true,
            max_post_chars: 500,
            poll_max_options: 4,
            home_feed_pull_threshold: canteen_app::DEFAULT_HOME_FEED_PULL_THRESHOLD,
            guard_policy_file: None,
            federation_allow_private: Vec::new(),
            limited_federation: false,
            authorized_fetch: false,
            mail_transport: "file".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            mail_from: None,
            rate_limits: true,
            log_format: "text".into(),
            log_level: "info".into(),
            shutdown_grace_seconds: 30,
            job_workers: 2,
        }
    }
}

/// Lists may be written as TOML arrays or, in the environment, as `a,b,c`.
fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        OneOrMany::Many(v) => v,
    })
}

/// Values given as flags; `None` means "not given", so lower layers show through.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Loads configuration from every layer. `file` is `--config`; without it,
    /// `CANTEEN_CONFIG` or `./canteen.toml` is read if present.
    pub fn load(file: Option<&Path>, flags: Overrides) -> anyhow::Result<Config> {
        let env_file = std::env::var_os("CANTEEN_CONFIG").map(PathBuf::from);
        let path = file.map(Path::to_path_buf).or(env_file);
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match &path {
            Some(p) if !p.exists() => bail!("configuration file {} does not exist", p.display()),
            Some(p) => fig = fig.merge(Toml::file_exact(p)),
            None if Path::new("canteen.toml").exists() => fig = fig.merge(Toml::file_exact("canteen.toml")),
            None => {}
        }
        fig = fig
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("CANTEEN_").only(&known_keys().iter().map(String::as_str).collect::<Vec<_>>()))
            .merge(Serialized::defaults(flags));
        let cfg: Config = fig.extract().context("invalid configuration")?;
        cfg.check()?;
        Ok(cfg)
    }
}

/// Only configuration keys are read from `CANTEEN_*`, so unrelated variables (such as
/// `CANTEEN_TEST_DATABASE_URL`) are not mistaken for misspelt keys.
fn known_keys() -> Vec<String> {
    serde_json::to_value(Config::default())
        .ok()
        .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
        .unwrap_or_default()
}

impl Config {
    fn check(&self) -> anyhow::Result<()> {
        if RegistrationMode::parse(&self.registration_mode).is_none() {
            bail!("registration_mode `{}` is not one of: {}", self.registration_mode, RegistrationMode::choices());
        }
        if !matches!(self.sqlite_synchronous.as_str(), "full" | "normal") {
            bail!("sqlite_synchronous `{}` is not one of: full, normal", self.sqlite_synchronous);
        }
        if !matches!(self.mail_transport.as_str(), "file" | "smtp") {
            bail!("mail_transport `{}` is not one of: file, smtp", self.mail_transport);
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format `{}` is not one of: text, json", self.log_format);
        }
        if let Err(e) = canteen_federation::ssrf::FetchPolicy::with_allow_list(&self.federation_allow_private) {
            bail!("federation_allow_private: {e}");
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            bail!("listen `{}` is not an address and port such as 127.0.0.1:8080", self.listen);
        }
        if let Some(u) = &self.public_url {
            let parsed = url::Url::parse(u).with_context(|| format!("public_url `{u}` is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                bail!("public_url `{u}` must be an http(s) URL with a host");
            }
        }
        Ok(())
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)).trim_end_matches('/').to_string()
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("canteen.db").display()))
    }

    /// The guard policy from `guard_policy_file`, if set.
    pub fn guard_policy(&self) -> anyhow::Result<Option<canteen_guard::Policy>> {
        let Some(path) = &self.guard_policy_file else { return Ok(None) };
        load_policy(path).map(Some)
    }

    pub fn app_config(&self) -> AppConfig {
        let mut c = AppConfig::new(&self.public_url());
        c.title = self.title.clone();
        c.description = self.description.clone();
        c.contact_email = self.contact_email.clone();
        c.registration_mode = RegistrationMode::parse(&self.registration_mode).unwrap_or(RegistrationMode::Open);
        c.registration_allowed_domains = self.registration_allowed_domains.clone();
        c.password_grant = self.password_grant;
        c.max_post_chars = self.max_post_chars;
        c.media_dir = self.data_dir.join("media");
        c.poll_max_options = self.poll_max_options.clamp(2, 20);
        c.home_feed_pull_threshold = self.home_feed_pull_threshold;
        c.federation_allow_private = self.federation_allow_private.clone();
        c.limited_federation = self.limited_federation;
        c.authorized_fetch = self.authorized_fetch;
        c.mail_transport = match self.mail_transport.as_str() {
            "smtp" => canteen_app::mail::MailTransport::Smtp { host: self.smtp_host.clone(), port: self.smtp_port },
            _ => canteen_app::mail::MailTransport::Outbox(self.data_dir.join("outbox")),
        };
        let host = url::Url::parse(&self.public_url()).ok().and_then(|u| u.host_str().map(String::from));
        c.mail_from = self
            .mail_from
            .clone()
            .unwrap_or_else(|| format!("{} <noreply@{}>", self.title, host.unwrap_or_else(|| "localhost".into())));
        c
    }
}

/// Reads and validates a guard policy file.
pub fn load_policy(path: &Path) -> anyhow::Result<canteen_guard::Policy> {
    let json =
        std::fs::read_to_string(path).with_context(|| format!("could not read the guard policy {}", path.display()))?;
    let policy = canteen_guard::Policy::from_json(&json)
        .and_then(|p| p.validate().map(|_| p))
        .map_err(|e| anyhow::anyhow!("the guard policy {} is not valid: {}", path.display(), e.0))?;
    Ok(policy)
}

impl Config {
    /// Everything a use case needs, with the guard policy file read and checked.
    pub fn app_config_checked(&self) -> anyhow::Result<AppConfig> {
        let mut c = self.app_config();
        c.guard_policy = self.guard_policy()?;
        Ok(c)
    }
}
