//! Moderation of whole servers: domain blocks (suspend, silence, reject media) and the
//! allow-list of "limited federation" mode. Admins change them through the admin API; every
//! federation path asks [`permit`] before it lets a server in or out.
//!
//! - suspend: activities from the server are refused at the inbox, nothing is delivered to it
//!   or fetched from it, its accounts are suspended here and follows with them end.
//! - silence: its posts are kept off the public and hashtag timelines.
//! - reject media: its avatars and headers are not shown (remote post media is not fetched).
//! - limited federation (`AppConfig::limited_federation`): only allow-listed servers at all.

use canteen_domain::Id;
use canteen_domain::account::Role;
use canteen_store::domains as store;
pub use canteen_store::domains::{DomainAllow, DomainBlock};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// What a server may do here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permit {
    Allowed { silenced: bool, reject_media: bool },
    Refused(String),
}

impl Permit {
    pub fn refused(&self) -> Option<&str> {
        match self {
            Permit::Refused(why) => Some(why),
            Permit::Allowed { .. } => None,
        }
    }
}

/// Whether `domain` (`host[:port]`) may federate with us, and how.
pub async fn permit(app: &App, domain: &str) -> Result<Permit> {
    let domain = domain.to_ascii_lowercase();
    // Read for every inbox request; blocks and allows move the access epoch (`memo`).
    let epoch = app.access_epoch();
    if let Some(p) = app.domain_permits.get(&domain, epoch) {
        return Ok(p);
    }
    let p = read_permit(app, &domain).await?;
    app.domain_permits.put(domain, epoch, p.clone());
    Ok(p)
}

async fn read_permit(app: &App, domain: &str) -> Result<Permit> {
    let domain = domain.to_string();
    if app.config.limited_federation && !store::is_allowed(app.store.reader(), &domain).await? {
        return Ok(Permit::Refused(format!("{domain} is not one of the servers this one federates with")));
    }
    Ok(match store::block_for(app.store.reader(), &domain).await? {
        Some(b) if b.severity == "suspend" => Permit::Refused(format!("{domain} is blocked by this server")),
        Some(b) => Permit::Allowed { silenced: b.severity == "silence", reject_media: b.reject_media },
        None => Permit::Allowed { silenced: false, reject_media: false },
    })
}

/// [`permit`] as an error for paths that must stop.
pub async fn require_permit(app: &App, domain: &str) -> Result<()> {
    match permit(app, domain).await? {
        Permit::Refused(why) => Err(AppError::Forbidden(why)),
        Permit::Allowed { .. } => Ok(()),
    }
}

fn require_admin(auth: &Auth) -> Result<()> {
    let (user, _) = auth.signed_in()?;
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    Ok(())
}

/// `host` or `host:port`, lower case; a pasted URL or handle is cut down to it.
fn normalise(input: &str) -> Result<String> {
    let mut d = input.trim().to_ascii_lowercase();
    if let Some(rest) = d.strip_prefix("https://").or_else(|| d.strip_prefix("http://")) {
        d = rest.split('/').next().unwrap_or_default().to_string();
    }
    if let Some((_, host)) = d.rsplit_once('@') {
        d = host.to_string();
    }
    let d = d.trim_end_matches('.').to_string();
    let valid = !d.is_empty()
        && d.len() <= 253
        && d.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
        && !d.starts_with(['.', '-', ':']);
    if !valid {
        return Err(AppError::Unprocessable(format!(
            "Validation failed: Domain `{}` is not a domain name",
            input.trim()
        )));
    }
    Ok(d)
}

fn not_found() -> AppError {
    AppError::NotFound("Record not found".into())
}

/// What an admin asks for when blocking.
#[derive(Debug, Clone, Default)]
pub struct BlockRequest {
    pub domain: String,
    pub severity: Option<String>,
    pub reject_media: Option<bool>,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
}

fn severity(s: Option<&str>, default: &str) -> Result<String> {
    match s.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default) {
        v @ ("suspend" | "silence" | "noop") => Ok(v.to_string()),
        other => Err(AppError::Unprocessable(format!(
            "Validation failed: Severity must be suspend, silence or noop, got `{other}`"
        ))),
    }
}

pub async fn blocks(app: &App, auth: &Auth) -> Result<Vec<DomainBlock>> {
    require_admin(auth)?;
    Ok(store::blocks(app.store.reader()).await?)
}

pub async fn block(app: &App, auth: &Auth, id: Id) -> Result<DomainBlock> {
    require_admin(auth)?;
    store::block_by_id(app.store.reader(), id).await?.ok_or_else(not_found)
}

/// Blocks a server. Suspension ends its follows and suspends its accounts, all in one commit.
pub async fn create_block(app: &App, auth: &Auth, req: BlockRequest) -> Result<DomainBlock> {
    require_admin(auth)?;
    let domain = normalise(&req.domain)?;
    if domain == app.config.domain().to_ascii_lowercase() {
        return Err(AppError::Unprocessable("Validation failed: this server cannot block itself".into()));
    }
    if store::block_by_domain(app.store.reader(), &domain).await?.is_some() {
        return Err(AppError::Unprocessable(format!("Validation failed: {domain} is already blocked")));
    }
    let b = DomainBlock {
        id: app.next_id().0,
        domain,
        severity: severity(req.severity.as_deref(), "silence")?,
        reject_media: req.reject_media.unwrap_or(false),
        private_comment: req.private_comment.unwrap_or_default(),
        public_comment: req.public_comment.unwrap_or_default(),
        created_at: now_ms(),
    };
    apply(app, None, &b).await?;
    Ok(b)
}

pub async fn update_block(app: &App, auth: &Auth, id: Id, req: BlockRequest) -> Result<DomainBlock> {
    require_admin(auth)?;
    let old = store::block_by_id(app.store.reader(), id).await?.ok_or_else(not_found)?;
    let b = DomainBlock {
        severity: severity(req.severity.as_deref(), &old.severity)?,
        reject_media: req.reject_media.unwrap_or(old.reject_media),
        private_comment: req.private_comment.unwrap_or(old.private_comment.clone()),
        public_comment: req.public_comment.unwrap_or(old.public_comment.clone()),
        ..old.clone()
    };
    apply(app, Some(&old), &b).await?;
    Ok(b)
}

pub async fn delete_block(app: &App, auth: &Auth, id: Id) -> Result<()> {
    require_admin(auth)?;
    let old = store::block_by_id(app.store.reader(), id).await?.ok_or_else(not_found)?;
    let mut tx = app.store.begin().await?;
    store::delete_block(tx.exec(), id).await?;
    if old.severity == "suspend" {
        store::set_domain_suspended(tx.exec(), &old.domain, None).await?;
    }
    tx.commit().await?;
    app.access_changed();
    Ok(())
}

async fn apply(app: &App, old: Option<&DomainBlock>, b: &DomainBlock) -> Result<()> {
    let was_suspended = old.is_some_and(|o| o.severity == "suspend");
    let mut tx = app.store.begin().await?;
    store::put_block(tx.exec(), b).await?;
    if b.severity == "suspend" && !was_suspended {
        store::set_domain_suspended(tx.exec(), &b.domain, Some(now_ms())).await?;
        store::sever_domain(tx.exec(), &b.domain).await?;
    } else if b.severity != "suspend" && was_suspended {
        store::set_domain_suspended(tx.exec(), &b.domain, None).await?;
    }
    tx.commit().await?;
    app.access_changed();
    tracing::info!(domain = %b.domain, severity = %b.severity, reject_media = b.reject_media, "domain block set");
    Ok(())
}

/// The blocks anyone may read (`/api/v1/instance/domain_blocks`), as Mastodon shows them.
pub async fn public_blocks(app: &App) -> Result<Vec<DomainBlock>> {
    Ok(store::blocks(app.store.reader()).await?)
}

pub async fn allows(app: &App, auth: &Auth) -> Result<Vec<DomainAllow>> {
    require_admin(auth)?;
    Ok(store::allows(app.store.reader()).await?)
}

pub async fn create_allow(app: &App, auth: &Auth, domain: &str) -> Result<DomainAllow> {
    require_admin(auth)?;
    let a = DomainAllow { id: app.next_id().0, domain: normalise(domain)?, created_at: now_ms() };
    store::put_allow(app.store.writer(), &a).await?;
    app.access_changed();
    let stored = store::allows(app.store.reader()).await?.into_iter().find(|x| x.domain == a.domain);
    stored.ok_or_else(|| AppError::Internal("the allowed domain was not stored".into()))
}

pub async fn delete_allow(app: &App, auth: &Auth, id: Id) -> Result<()> {
    require_admin(auth)?;
    if !store::delete_allow(app.store.writer(), id).await? {
        return Err(not_found());
    }
    app.access_changed();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn domains_are_cut_down_and_checked() {
        assert_eq!(normalise(" Social.Example.COM ").unwrap(), "social.example.com");
        assert_eq!(normalise("https://social.example.com/@x").unwrap(), "social.example.com");
        assert_eq!(normalise("@x@social.example.com").unwrap(), "social.example.com");
        assert_eq!(normalise("127.0.0.1:8080").unwrap(), "127.0.0.1:8080");
        assert!(normalise("").is_err() && normalise("bad domain").is_err() && normalise("<script>").is_err());
    }
}
