use canteen_domain::account::{Account as DomainAccount, FieldVisibility, Role};
use canteen_domain::audience::{Viewer, may_see_field};
use serde::Serialize;

use super::iso8601;
use crate::html::{escape, paragraphs};

#[derive(Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

/// One professional detail as shown to the owner: its value and who may see it.
#[derive(Serialize)]
pub struct OwnDetail {
    pub value: String,
    pub visibility: FieldVisibility,
}

/// Canteen's own profile data, under `canteen` so Mastodon clients ignore it. Only the
/// details this viewer may see are present.
#[derive(Serialize)]
pub struct CanteenProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profession: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seniority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub hide_collections: bool,
    pub noindex: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<String>,
    pub emojis: Vec<serde_json::Value>,
    pub fields: Vec<Field>,
    pub roles: Vec<serde_json::Value>,
    pub canteen: CanteenProfile,
}

/// Builds the public `Account` entity as `viewer` may see it.
pub fn account_from_domain(public_url: &str, a: &DomainAccount, viewer: Viewer) -> Account {
    let missing_avatar = format!("{public_url}/avatars/original/missing.png");
    let missing_header = format!("{public_url}/headers/original/missing.png");
    let avatar = a.avatar_url.clone().unwrap_or(missing_avatar);
    let header = a.header_url.clone().unwrap_or(missing_header);
    let p = &a.privacy;
    let d = &a.details;
    let shown = |value: &str, vis: FieldVisibility| {
        (!value.is_empty() && may_see_field(vis, viewer)).then(|| value.to_string())
    };
    Account {
        id: a.id.to_string(),
        username: a.username.clone(),
        acct: a.acct(),
        display_name: a.display_name.clone(),
        locked: p.locked,
        bot: a.bot,
        discoverable: p.discoverable,
        indexable: p.indexable,
        group: a.kind == canteen_domain::account::AccountKind::Group,
        hide_collections: p.hide_collections,
        noindex: !p.indexable,
        created_at: iso8601(a.created_at),
        note: paragraphs(&a.note),
        url: a.url.clone(),
        uri: a.uri.clone(),
        avatar_static: avatar.clone(),
        avatar,
        header_static: header.clone(),
        header,
        followers_count: 0,
        following_count: 0,
        statuses_count: 0,
        last_status_at: None,
        emojis: Vec::new(),
        fields: a
            .fields
            .iter()
            .map(|f| Field { name: escape(&f.name), value: escape(&f.value), verified_at: None })
            .collect(),
        roles: Vec::new(),
        canteen: CanteenProfile {
            job_title: shown(&d.job_title, p.job_title_visibility),
            profession: shown(&d.profession, p.profession_visibility),
            employer: shown(&d.employer, p.employer_visibility),
            seniority: shown(&d.seniority, p.seniority_visibility),
            location: shown(&d.location, p.location_visibility),
        },
    }
}

#[derive(Serialize)]
pub struct SourceField {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

/// The owner's own settings, under `source` (Mastodon) and `source.canteen` (ours).
#[derive(Serialize)]
pub struct Source {
    pub privacy: &'static str,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    pub fields: Vec<SourceField>,
    pub follow_requests_count: i64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub canteen: OwnSettings,
}

#[derive(Serialize)]
pub struct OwnSettings {
    pub profile_mode: &'static str,
    pub privacy_preset: &'static str,
    pub job_title: OwnDetail,
    pub profession: OwnDetail,
    pub employer: OwnDetail,
    pub seniority: OwnDetail,
    pub location: OwnDetail,
}

#[derive(Serialize)]
pub struct RoleEntity {
    pub id: String,
    pub name: String,
    pub permissions: String,
    pub color: String,
    pub highlighted: bool,
}

/// `CredentialAccount`: the account plus `source` and `role`, for its owner only.
#[derive(Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: RoleEntity,
}

pub fn own_settings_from_domain(a: &DomainAccount) -> OwnSettings {
    let p = &a.privacy;
    let d = &a.details;
    let detail = |value: &str, visibility| OwnDetail { value: value.to_string(), visibility };
    OwnSettings {
        profile_mode: a.profile_mode.as_str(),
        privacy_preset: a.privacy_preset.as_str(),
        job_title: detail(&d.job_title, p.job_title_visibility),
        profession: detail(&d.profession, p.profession_visibility),
        employer: detail(&d.employer, p.employer_visibility),
        seniority: detail(&d.seniority, p.seniority_visibility),
        location: detail(&d.location, p.location_visibility),
    }
}

pub fn credential_account_from_domain(public_url: &str, a: &DomainAccount, role: Role) -> CredentialAccount {
    let p = &a.privacy;
    // Mastodon's role permissions bitmask: administrator = 0x1; moderators get the report,
    // user and content permissions.
    let (id, permissions) = match role {
        Role::User => ("-99", "0"),
        Role::Moderator => ("2", "1308"),
        Role::Admin => ("3", "1"),
    };
    CredentialAccount {
        account: account_from_domain(public_url, a, Viewer::Owner),
        source: Source {
            privacy: p.default_visibility.as_str(),
            sensitive: a.default_sensitive,
            language: a.default_language.clone(),
            note: a.note.clone(),
            fields: a
                .fields
                .iter()
                .map(|f| SourceField { name: f.name.clone(), value: f.value.clone(), verified_at: None })
                .collect(),
            follow_requests_count: 0,
            hide_collections: p.hide_collections,
            discoverable: p.discoverable,
            indexable: p.indexable,
            canteen: own_settings_from_domain(a),
        },
        role: RoleEntity {
            id: id.into(),
            name: if role == Role::User { String::new() } else { role.as_str().into() },
            permissions: permissions.into(),
            color: String::new(),
            highlighted: role != Role::User,
        },
    }
}

/// `Relationship`. Follows, blocks and mutes arrive with the social-core work; the shape is
/// complete now so clients parse it.
#[derive(Serialize)]
pub struct Relationship {
    pub id: String,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

pub fn relationship_none(id: canteen_domain::Id) -> Relationship {
    Relationship {
        id: id.to_string(),
        following: false,
        showing_reblogs: false,
        notifying: false,
        languages: None,
        followed_by: false,
        blocking: false,
        blocked_by: false,
        muting: false,
        muting_notifications: false,
        requested: false,
        requested_by: false,
        domain_blocking: false,
        endorsed: false,
        note: String::new(),
    }
}

/// Fills the counters of an account entity (profile views; embedded accounts keep zeros).
pub fn with_stats(mut a: Account, s: canteen_app::accounts::AccountStats) -> Account {
    a.followers_count = s.followers;
    a.following_count = s.following;
    a.statuses_count = s.statuses;
    a
}
