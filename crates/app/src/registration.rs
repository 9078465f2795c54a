//! Who may sign up, as the admins set it at run time: the registration mode and the
//! email-domain allow-list. The config file gives the starting values; once an admin saves
//! them from the admin pages, the saved ones apply (on every node, as they live in the
//! store).

use canteen_domain::registration::RegistrationMode;
use canteen_domain::validation::Invalid;
use canteen_store::settings;
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

const SETTING_KEY: &str = "registration";
/// More domains than this is not an allow-list any more.
const MAX_DOMAINS: usize = 100;

/// The registration rules in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub mode: RegistrationMode,
    /// Email domains allowed to sign up (each also allows its subdomains); empty: any.
    pub allowed_domains: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    mode: String,
    allowed_domains: Vec<String>,
}

/// The rules in force: as last saved by an admin, else the config's.
pub async fn current(app: &App) -> Result<Registration> {
    if let Some(json) = settings::get(app.store.reader(), SETTING_KEY).await? {
        let stored: Stored =
            serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("registration setting: {e}")))?;
        if let Some(mode) = RegistrationMode::parse(&stored.mode) {
            return Ok(Registration { mode, allowed_domains: stored.allowed_domains });
        }
    }
    Ok(Registration {
        mode: app.config.registration_mode,
        allowed_domains: app.config.registration_allowed_domains.clone(),
    })
}

/// Reads an allow-list typed one domain per line (or separated by commas or spaces).
/// Every problem is reported at once, on field `allowed_domains`.
pub fn parse_domains(text: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for raw in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()) {
        let d = raw.trim().trim_start_matches('@').trim_end_matches('.').to_ascii_lowercase();
        let labels_ok = d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if d.contains('.') && d.len() <= 253 && labels_ok {
            if !out.contains(&d) {
                out.push(d);
            }
        } else {
            bad.push(raw.to_string());
        }
    }
    if !bad.is_empty() {
        return Err(AppError::invalid(Invalid::new(
            "allowed_domains",
            "ERR_INVALID",
            format!("These are not email domains: {}. Enter domains like nhs.net, one on each line", bad.join(", ")),
        )));
    }
    if out.len() > MAX_DOMAINS {
        return Err(AppError::invalid(Invalid::new(
            "allowed_domains",
            "ERR_TOO_LONG",
            format!("Enter at most {MAX_DOMAINS} domains"),
        )));
    }
    Ok(out)
}

/// Saves the rules (admins only).
pub async fn set_as(app: &App, auth: &Auth, mode: &str, domains: &str) -> Result<Registration> {
    crate::admin::require_admin(auth)?;
    let mut problems = Vec::new();
    let mode = RegistrationMode::parse(mode);
    if mode.is_none() {
        problems.push(Invalid::new("mode", "ERR_INCLUSION", "Choose who can sign up"));
    }
    let domains = match parse_domains(domains) {
        Ok(d) => Some(d),
        Err(AppError::Invalid(mut p)) => {
            problems.append(&mut p);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(mode), Some(allowed_domains)) = (mode, domains) else { return Err(AppError::Invalid(problems)) };
    let stored = Stored { mode: mode.as_str().to_string(), allowed_domains: allowed_domains.clone() };
    let json = serde_json::to_string(&stored).map_err(|e| AppError::Internal(e.to_string()))?;
    settings::set(app.store.writer(), SETTING_KEY, &json, now_ms()).await?;
    Ok(Registration { mode, allowed_domains })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_read_one_per_line_or_by_commas() {
        let d = parse_domains("nhs.net\n@Wales.NHS.uk, example.org.\nnhs.net").unwrap();
        assert_eq!(d, vec!["nhs.net", "wales.nhs.uk", "example.org"]);
        assert_eq!(parse_domains("  ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn every_bad_domain_is_named() {
        let Err(AppError::Invalid(p)) = parse_domains("nhs.net localhost bad_domain.org -x.com") else { panic!() };
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("localhost, bad_domain.org, -x.com"), "{}", p[0].message);
    }
}
