//! Creating logins and profiles, reading profiles as a given viewer, and editing one's own.

use canteen_domain::Id;
use canteen_domain::account::{Account, PostVisibility, PrivacyPreset, ProfileField, ProfileMode, Role, User};
use canteen_domain::audience::Viewer;
use canteen_domain::registration::{RegistrationMode, email_domain_allowed};
use canteen_domain::validation::{self, Invalid};
use canteen_store::{accounts, users};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result, passwords};

/// A new login with its first profile.
#[derive(Debug, Clone)]
pub struct NewLogin {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    pub confirmed: bool,
    pub approved: bool,
    pub locale: Option<String>,
    pub reason: Option<String>,
    pub mode: ProfileMode,
}

/// Creates a login and its first profile in one transaction. Every rule is checked first
/// and all broken ones reported together; nothing is written unless all pass.
pub async fn create_login(app: &App, new: NewLogin) -> Result<(User, Account)> {
    let mut problems = Vec::new();
    problems.extend(validation::username(&new.username).err());
    problems.extend(validation::email(&new.email).err());
    problems.extend(validation::password(&new.password).err());
    if let Some(reason) = &new.reason {
        problems.extend(validation::max_chars("reason", "Reason", reason, 500).err());
    }
    if problems.iter().all(|p| p.field != "username")
        && accounts::by_local_username(app.store.reader(), &new.username).await?.is_some()
    {
        problems.push(taken_username());
    }
    if problems.iter().all(|p| p.field != "email") && users::by_email(app.store.reader(), &new.email).await?.is_some() {
        problems.push(Invalid::new("email", "ERR_TAKEN", "Email has already been taken"));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let password_hash = passwords::hash(&new.password).await?;
    let now = now_ms();
    let user = User {
        id: app.next_id(),
        email: new.email.trim().to_string(),
        password_hash,
        role: new.role,
        confirmed: new.confirmed,
        approved: new.approved,
        locale: new.locale.clone(),
        created_at: now,
    };
    let account = new_local_account(app, user.id, &new.username, new.mode, now);
    let mut tx = app.store.begin().await?;
    users::insert(tx.exec(), &user, new.reason.as_deref()).await.map_err(conflict_as_taken)?;
    accounts::insert(tx.exec(), &account).await.map_err(conflict_as_taken)?;
    tx.commit().await?;
    Ok((user, account))
}

fn taken_username() -> Invalid {
    Invalid::new("username", "ERR_TAKEN", "Username has already been taken")
}

/// A race between the check and the insert ends at the unique index; say so plainly.
pub(crate) fn conflict_as_taken(e: canteen_store::StoreError) -> AppError {
    match e {
        canteen_store::StoreError::Conflict(what) if what.contains("email") => {
            AppError::invalid(Invalid::new("email", "ERR_TAKEN", "Email has already been taken"))
        }
        canteen_store::StoreError::Conflict(_) => AppError::invalid(taken_username()),
        other => other.into(),
    }
}

pub(crate) fn new_local_account(app: &App, user_id: Id, username: &str, mode: ProfileMode, now: i64) -> Account {
    Account {
        user_id: Some(user_id),
        uri: app.config.account_uri(username),
        url: app.config.account_url(username),
        ..Account::new_blank(app.next_id(), username, mode, now)
    }
}

/// Sign-up through the API (`POST /api/v1/accounts`), under the registration mode and the
/// email-domain allow-list. With `approval`, the login exists but cannot act until an admin
/// approves it.
pub async fn register(
    app: &App,
    username: &str,
    email: &str,
    password: &str,
    agreement: bool,
    locale: Option<String>,
    reason: Option<String>,
) -> Result<(User, Account)> {
    let cfg = crate::registration::current(app).await?;
    if cfg.mode == RegistrationMode::Closed {
        return Err(AppError::Forbidden("Registrations are closed on this server".into()));
    }
    if !agreement {
        return Err(AppError::invalid(Invalid::new(
            "agreement",
            "ERR_ACCEPTED",
            "Agreement must be accepted (the server's rules)",
        )));
    }
    if validation::email(email).is_ok() && !email_domain_allowed(email, &cfg.allowed_domains) {
        return Err(AppError::invalid(Invalid::new(
            "email",
            "ERR_BLOCKED",
            format!("Email must be an address at one of: {}", cfg.allowed_domains.join(", ")),
        )));
    }
    create_login(
        app,
        NewLogin {
            username: username.to_string(),
            email: email.to_string(),
            password: password.to_string(),
            role: Role::User,
            // There is no mail transport yet (the web issue brings one), so API sign-ups are
            // confirmed at once; approval is still enforced.
            confirmed: true,
            approved: cfg.mode == RegistrationMode::Open,
            locale,
            reason,
            mode: ProfileMode::Personal,
        },
    )
    .await
}

/// How `viewer` stands to `account`. Follows arrive with the social-core work; until then a
/// signed-in viewer is the owner or a stranger.
pub fn viewer_of(viewer: Option<&Auth>, account: &Account) -> Viewer {
    match viewer.and_then(|a| a.account.as_ref()) {
        Some(me) if me.id == account.id => Viewer::Owner,
        Some(_) => Viewer::Stranger,
        None => Viewer::Anonymous,
    }
}

/// A profile as `viewer` may see it. Suspended profiles are not shown to anyone.
pub async fn get(app: &App, viewer: Option<&Auth>, id: Id) -> Result<(Account, Viewer)> {
    let account = accounts::by_id(app.store.reader(), id).await?.ok_or_else(not_found)?;
    let (account, v) = visible(viewer, account)?;
    let v = with_follow(app, viewer, &account, v).await?;
    Ok((account, v))
}

/// Upgrades a stranger who follows the account to a follower (for followers-only fields).
async fn with_follow(app: &App, viewer: Option<&Auth>, account: &Account, v: Viewer) -> Result<Viewer> {
    if v != Viewer::Stranger {
        return Ok(v);
    }
    let Some(me) = viewer.and_then(|a| a.account.as_ref()) else { return Ok(v) };
    let follows = canteen_store::relationships::is_following(app.store.reader(), me.id, account.id).await?;
    Ok(if follows { Viewer::Follower } else { v })
}

/// What a profile's counters show to a viewer.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountStats {
    pub followers: i64,
    pub following: i64,
    pub statuses: i64,
}

/// Counters for a profile page; follower counts are hidden (zero) when the owner hides
/// their collections from this viewer.
pub async fn stats(app: &App, viewer: Option<Id>, account: &Account) -> Result<AccountStats> {
    let (followers, following) = crate::follows::counts(app, viewer, account).await?;
    let statuses = canteen_store::statuses::count_by_account(app.store.reader(), account.id).await?;
    Ok(AccountStats { followers, following, statuses })
}

fn visible(viewer: Option<&Auth>, account: Account) -> Result<(Account, Viewer)> {
    let v = viewer_of(viewer, &account);
    if account.suspended_at.is_some() && v != Viewer::Owner {
        return Err(not_found());
    }
    Ok((account, v))
}

pub(crate) fn not_found() -> AppError {
    AppError::NotFound("Record not found".into())
}

/// `GET /api/v1/accounts/lookup?acct=`: `user`, `@user`, `user@this-domain`, or a known remote
/// `user@their-domain`.
pub async fn lookup(app: &App, viewer: Option<&Auth>, acct: &str) -> Result<(Account, Viewer)> {
    let acct = acct.trim().trim_start_matches('@');
    let (username, domain) = match acct.split_once('@') {
        Some((u, d)) => (u, Some(d)),
        None => (acct, None),
    };
    let local = domain.is_none_or(|d| d.eq_ignore_ascii_case(&app.config.domain()));
    if username.is_empty() {
        return Err(not_found());
    }
    // Remote accounts already known here are found; finding new ones is search's `resolve`.
    let account = match domain {
        Some(d) if !local => accounts::by_username_domain(app.store.reader(), username, d).await?,
        _ => accounts::by_local_username(app.store.reader(), username).await?,
    };
    let account = account.ok_or_else(not_found)?;
    let (account, v) = visible(viewer, account)?;
    let v = with_follow(app, viewer, &account, v).await?;
    Ok((account, v))
}

/// The accounts among `ids` that exist and may be seen (for `relationships`).
pub async fn visible_ids(app: &App, viewer: Option<&Auth>, ids: &[Id]) -> Result<Vec<Id>> {
    let found = accounts::by_ids(app.store.reader(), ids).await?;
    // In the order asked for.
    Ok(ids
        .iter()
        .filter(|id| found.iter().any(|a| a.id == **id && visible(viewer, a.clone()).is_ok()))
        .copied()
        .collect())
}

/// The changes `update_credentials` may carry; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    pub hide_collections: Option<bool>,
    pub fields: Option<Vec<ProfileField>>,
    pub default_visibility: Option<PostVisibility>,
    pub default_sensitive: Option<bool>,
    pub default_language: Option<String>,
    pub profile_mode: Option<ProfileMode>,
    /// A person, an organisation's page or a group (Mastodon's `group` flag sets `Group`).
    pub kind: Option<canteen_domain::account::AccountKind>,
    pub privacy_preset: Option<PrivacyPreset>,
    pub job_title: Option<String>,
    pub profession: Option<String>,
    pub employer: Option<String>,
    pub seniority: Option<String>,
    pub location: Option<String>,
    pub job_title_visibility: Option<canteen_domain::account::FieldVisibility>,
    pub profession_visibility: Option<canteen_domain::account::FieldVisibility>,
    pub employer_visibility: Option<canteen_domain::account::FieldVisibility>,
    pub seniority_visibility: Option<canteen_domain::account::FieldVisibility>,
    pub location_visibility: Option<canteen_domain::account::FieldVisibility>,
    /// Set from an uploaded avatar or header (already stripped and stored).
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
}

/// Applies a profile update to the caller's own profile. A mode or preset is applied
/// first, then explicit settings in the same request override what it set.
pub async fn update_profile(app: &App, auth: &Auth, up: ProfileUpdate) -> Result<Account> {
    let (_, me) = auth.signed_in()?;
    let mut problems = Vec::new();
    let check = |field, label, value: &Option<String>, max| {
        value.as_deref().and_then(|v| validation::max_chars(field, label, v, max).err())
    };
    problems.extend(check("display_name", "Display name", &up.display_name, validation::DISPLAY_NAME_MAX));
    problems.extend(check("note", "Bio", &up.note, validation::NOTE_MAX));
    for (field, label, value) in [
        ("canteen[job_title]", "Job title", &up.job_title),
        ("canteen[profession]", "Profession", &up.profession),
        ("canteen[employer]", "Employer", &up.employer),
        ("canteen[seniority]", "Seniority", &up.seniority),
        ("canteen[location]", "Location", &up.location),
    ] {
        problems.extend(check(field, label, value, validation::PROFILE_TEXT_MAX));
    }
    if let Some(lang) = &up.default_language
        && !(lang.is_empty() || (lang.len() <= 3 && lang.chars().all(|c| c.is_ascii_lowercase())))
    {
        problems.push(Invalid::new("source[language]", "ERR_INVALID", "Language must be an ISO 639 code such as `en`"));
    }
    if let Some(fields) = &up.fields {
        if fields.len() > validation::FIELDS_MAX {
            problems.push(Invalid::new(
                "fields_attributes",
                "ERR_TOO_LONG",
                format!("Profile metadata can have at most {} fields", validation::FIELDS_MAX),
            ));
        }
        for f in fields {
            problems.extend(
                validation::max_chars("fields_attributes", "Field name", &f.name, validation::FIELD_NAME_MAX).err(),
            );
            problems.extend(
                validation::max_chars("fields_attributes", "Field value", &f.value, validation::FIELD_VALUE_MAX).err(),
            );
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }

    let mut a = me.clone();
    let before_indexable = a.privacy.indexable;
    if let Some(mode) = up.profile_mode {
        a.apply_mode(mode);
    }
    if let Some(preset) = up.privacy_preset {
        a.apply_preset(preset);
    }
    let p = &mut a.privacy;
    set(&mut p.locked, up.locked);
    set(&mut p.discoverable, up.discoverable);
    set(&mut p.indexable, up.indexable);
    set(&mut p.hide_collections, up.hide_collections);
    set(&mut p.default_visibility, up.default_visibility);
    set(&mut p.job_title_visibility, up.job_title_visibility);
    set(&mut p.profession_visibility, up.profession_visibility);
    set(&mut p.employer_visibility, up.employer_visibility);
    set(&mut p.seniority_visibility, up.seniority_visibility);
    set(&mut p.location_visibility, up.location_visibility);
    set(&mut a.display_name, up.display_name);
    set(&mut a.note, up.note);
    set(&mut a.bot, up.bot);
    set(&mut a.kind, up.kind);
    if up.avatar_url.is_some() {
        a.avatar_url = up.avatar_url;
    }
    if up.header_url.is_some() {
        a.header_url = up.header_url;
    }
    set(&mut a.default_sensitive, up.default_sensitive);
    if let Some(lang) = up.default_language {
        a.default_language = (!lang.is_empty()).then_some(lang);
    }
    if let Some(fields) = up.fields {
        // Mastodon drops fields whose name and value are both blank.
        a.fields = fields.into_iter().filter(|f| !(f.name.trim().is_empty() && f.value.trim().is_empty())).collect();
    }
    let d = &mut a.details;
    set(&mut d.job_title, up.job_title);
    set(&mut d.profession, up.profession);
    set(&mut d.employer, up.employer);
    set(&mut d.seniority, up.seniority);
    set(&mut d.location, up.location);
    // A preset of `high` wins over explicit widening in the same request: the person asked
    // for the private setting by name.
    if a.privacy_preset == PrivacyPreset::High {
        a.privacy = a.privacy.clone().with_high_privacy();
    }
    a.updated_at = now_ms();
    // Other servers' copies of the profile change with it.
    let update = crate::federation::outbox::actor_update(app, &a).await?;
    let mut tx = app.store.begin().await?;
    accounts::update(tx.exec(), &a).await?;
    if let Some((activity, inboxes)) = &update {
        crate::federation::outbox::enqueue_for(app, tx.exec(), a.id, inboxes, activity).await?;
    }
    // Who may find the account's posts in search depends on `indexable`.
    if a.privacy.indexable != before_indexable {
        crate::search::enqueue_account(app, tx.exec(), a.id).await?;
    }
    tx.commit().await?;
    // Live streams' cached posts carry the author's profile (and which of its fields show):
    // build them afresh.
    app.relations_changed();
    Ok(a)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// Number of local profiles that can act, for instance statistics.
pub async fn local_count(app: &App) -> Result<i64> {
    Ok(accounts::count_local_active(app.store.reader()).await?)
}
