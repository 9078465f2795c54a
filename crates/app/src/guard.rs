//! The guard in the posting path. Post text reaches the store only as a [`GuardedText`],
//! which only this module makes, after `canteen_guard::check` has passed it — or the author
//! has acknowledged the warnings of exactly this text (by the report's fingerprint).
//! Acknowledged findings are recorded for the organisation's audit: who, when, which
//! category, never the text.

use canteen_domain::Id;
use canteen_domain::status::Visibility;
use canteen_guard::{Audience, Context, Policy, Report, Verdict};
use canteen_store::guard_audit::{self, AckRecord};
use canteen_store::{Exec, settings};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

const POLICY_KEY: &str = "guard_policy";

/// Text the guard has let through. Its fields are private: nothing outside this module
/// can make one, so no front door can store unchecked text.
#[derive(Debug, Clone)]
pub struct GuardedText {
    text: String,
    spoiler_text: String,
    poll_options: Vec<String>,
    report: Report,
    audience: Audience,
}

impl GuardedText {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn spoiler_text(&self) -> &str {
        &self.spoiler_text
    }

    pub fn poll_options(&self) -> &[String] {
        &self.poll_options
    }

    pub fn report(&self) -> &Report {
        &self.report
    }
}

/// The guard's audience for a post's visibility.
pub fn audience(v: Visibility) -> Audience {
    match v {
        Visibility::Public => Audience::Public,
        Visibility::Unlisted => Audience::Unlisted,
        Visibility::Private => Audience::FollowersOnly,
        Visibility::Mutuals => Audience::Mutuals,
        Visibility::Circle(_) => Audience::Circle,
        Visibility::Direct => Audience::Direct,
    }
}

/// The policy in force: the one an admin set through the API, else the configured file,
/// else the built-in defaults.
pub async fn policy(app: &App) -> Result<Policy> {
    if let Some(json) = settings::get(app.store.reader(), POLICY_KEY).await? {
        return Policy::from_json(&json).map_err(|e| AppError::Internal(format!("stored guard policy: {}", e.0)));
    }
    Ok(app.config.guard_policy.clone().unwrap_or_default())
}

/// A post's words: the content warning, the text and any poll options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Draft<'a> {
    pub text: &'a str,
    pub spoiler_text: &'a str,
    pub poll_options: &'a [String],
}

/// What the guard reads: the content warning, if any, then the text, then poll options one
/// a line, as one string, so one report (and one fingerprint) covers the whole post. Spans
/// are offsets into this string.
pub fn checked_string(d: Draft<'_>) -> String {
    let mut s = String::new();
    if !d.spoiler_text.trim().is_empty() {
        s.push_str(d.spoiler_text.trim());
        s.push_str("\n\n");
    }
    s.push_str(d.text);
    if !d.poll_options.is_empty() {
        s.push_str("\n\n");
        s.push_str(&d.poll_options.join("\n"));
    }
    s
}

/// Checks a draft (for live feedback while typing). Changes nothing.
pub async fn check(app: &App, draft: Draft<'_>, ctx: Context) -> Result<Report> {
    let policy = policy(app).await?;
    Ok(canteen_guard::check(&checked_string(draft), &policy, &ctx))
}

fn first_message(report: &Report, severity_first: canteen_guard::Severity) -> String {
    report
        .findings
        .iter()
        .find(|f| f.severity == severity_first)
        .or(report.findings.first())
        .map(|f| f.message.clone())
        .unwrap_or_default()
}

/// Lets text through, or refuses it with the report: a `block` always; a `warn` unless
/// `ack` is this report's fingerprint.
pub async fn admit(app: &App, draft: Draft<'_>, ctx: Context, ack: Option<&str>) -> Result<GuardedText> {
    let report = check(app, draft, ctx).await?;
    for f in &report.findings {
        metrics::counter!("canteen_guard_findings_total", "category" => f.category.name(), "severity" => severity_name(f.severity))
            .increment(1);
    }
    match report.verdict {
        Verdict::Pass => {}
        Verdict::Block => {
            let message = first_message(&report, canteen_guard::Severity::Block);
            return Err(guard_error(message, &report));
        }
        Verdict::Warn if ack == Some(report.fingerprint.as_str()) => {}
        Verdict::Warn => {
            let message = format!(
                "{} If you still want to post it, send it again with canteen_guard_ack set to this report's fingerprint.",
                first_message(&report, canteen_guard::Severity::Warn)
            );
            return Err(guard_error(message, &report));
        }
    }
    Ok(GuardedText {
        text: draft.text.to_string(),
        spoiler_text: draft.spoiler_text.trim().to_string(),
        poll_options: draft.poll_options.to_vec(),
        report,
        audience: ctx.visibility,
    })
}

fn severity_name(s: canteen_guard::Severity) -> &'static str {
    match s {
        canteen_guard::Severity::Warn => "warn",
        canteen_guard::Severity::Block => "block",
    }
}

fn guard_error(message: String, report: &Report) -> AppError {
    AppError::Guard { message, report: serde_json::to_value(report).unwrap_or_default() }
}

/// Records the acknowledged findings of a post being saved (call inside its transaction).
pub async fn record_acknowledged(app: &App, e: Exec<'_>, author: Id, text: &GuardedText) -> Result<()> {
    guard_audit::insert_many(e, &acknowledged(app, author, text)).await?;
    Ok(())
}

/// The audit records of a post's acknowledged findings (who, when, which category; never
/// the text), counted in the metrics as they are made.
pub fn acknowledged(app: &App, author: Id, text: &GuardedText) -> Vec<AckRecord> {
    let audience =
        serde_json::to_value(text.audience).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    text.report
        .findings
        .iter()
        .map(|f| {
            metrics::counter!("canteen_guard_acknowledged_total", "category" => f.category.name()).increment(1);
            AckRecord {
                id: app.next_id().0,
                account_id: author.0,
                category: f.category.name().to_string(),
                severity: severity_name(f.severity).to_string(),
                audience: audience.clone(),
                created_at: now_ms(),
            }
        })
        .collect()
}

/// Replaces the organisation's policy (admins only). Invalid policies are refused whole.
pub async fn set_policy(app: &App, auth: &Auth, json: &str) -> Result<Policy> {
    crate::admin::require_admin(auth)?;
    let policy = Policy::from_json(json)
        .and_then(|p| p.validate().map(|_| p))
        .map_err(|e| AppError::Unprocessable(format!("The guard policy is not valid: {}", e.0)))?;
    settings::set(app.store.writer(), POLICY_KEY, &policy.to_json(), now_ms()).await?;
    Ok(policy)
}

/// The audit trail, newest first (admins only).
pub async fn audit(app: &App, auth: &Auth, max: Option<i64>, limit: i64) -> Result<Vec<AckRecord>> {
    crate::admin::require_admin(auth)?;
    Ok(guard_audit::page(app.store.reader(), max.unwrap_or(i64::MAX), limit.clamp(1, 200)).await?)
}
