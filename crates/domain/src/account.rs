//! Accounts (profiles) and the people (logins) who own them.
//!
//! A *user* is a login: an email, a password, a role. An *account* is a profile that others
//! see and follow. One user may own several accounts (a personal and a professional one);
//! nothing links them publicly.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            /// The accepted spellings, for error messages.
            pub fn choices() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// What a login may do on the server.
    Role { User => "user", Moderator => "moderator", Admin => "admin" }
);

string_enum!(
    /// What a profile is: a person, an organisation's page, or a group of people.
    AccountKind { Person => "person", Organization => "organization", Group => "group" }
);

string_enum!(
    /// NHS guidance distinguishes personal, professional and cross-over profiles.
    ProfileMode { Personal => "personal", Professional => "professional", CrossOver => "cross_over" }
);

string_enum!(
    /// `high` is one switch for the most private profile; `standard` leaves settings as chosen.
    PrivacyPreset { Standard => "standard", High => "high" }
);

string_enum!(
    /// Who may see one profile field (job title, employer, …).
    FieldVisibility { Public => "public", Followers => "followers", OnlyMe => "only_me" }
);

string_enum!(
    /// Mastodon's post visibilities, used here for an account's default.
    PostVisibility { Public => "public", Unlisted => "unlisted", Private => "private", Direct => "direct" }
);

/// The settings a profile mode or privacy preset decides. A person may change each later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacySettings {
    pub locked: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub hide_collections: bool,
    pub default_visibility: PostVisibility,
    pub job_title_visibility: FieldVisibility,
    pub profession_visibility: FieldVisibility,
    pub employer_visibility: FieldVisibility,
    pub seniority_visibility: FieldVisibility,
    pub location_visibility: FieldVisibility,
}

impl ProfileMode {
    /// The defaults each mode starts from.
    ///
    /// - personal: locked, not discoverable or indexable, follows hidden, employer hidden;
    /// - professional: public and discoverable, job title and profession shown;
    /// - cross-over: public, but the employer (and the follow lists people guess it from) hidden.
    pub fn defaults(self) -> PrivacySettings {
        use FieldVisibility::*;
        match self {
            ProfileMode::Personal => PrivacySettings {
                locked: true,
                discoverable: false,
                indexable: false,
                hide_collections: true,
                default_visibility: PostVisibility::Private,
                job_title_visibility: OnlyMe,
                profession_visibility: OnlyMe,
                employer_visibility: OnlyMe,
                seniority_visibility: OnlyMe,
                location_visibility: OnlyMe,
            },
            ProfileMode::Professional => PrivacySettings {
                locked: false,
                discoverable: true,
                indexable: true,
                hide_collections: false,
                default_visibility: PostVisibility::Public,
                job_title_visibility: Public,
                profession_visibility: Public,
                employer_visibility: Public,
                seniority_visibility: Public,
                location_visibility: Followers,
            },
            ProfileMode::CrossOver => PrivacySettings {
                locked: false,
                discoverable: true,
                indexable: true,
                hide_collections: true,
                default_visibility: PostVisibility::Public,
                job_title_visibility: Public,
                profession_visibility: Public,
                employer_visibility: OnlyMe,
                seniority_visibility: Followers,
                location_visibility: OnlyMe,
            },
        }
    }
}

impl PrivacySettings {
    /// The "high" preset: lock the profile, hide follows and followers, turn off
    /// discoverability and search-engine indexing, and default new posts to followers-only.
    /// Field visibilities are left as they are: the preset never widens anything.
    pub fn with_high_privacy(mut self) -> PrivacySettings {
        self.locked = true;
        self.hide_collections = true;
        self.discoverable = false;
        self.indexable = false;
        if matches!(self.default_visibility, PostVisibility::Public | PostVisibility::Unlisted) {
            self.default_visibility = PostVisibility::Private;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_mode_is_private_by_default() {
        let d = ProfileMode::Personal.defaults();
        assert!(d.locked && !d.discoverable && !d.indexable && d.hide_collections);
        assert_eq!(d.employer_visibility, FieldVisibility::OnlyMe);
    }

    #[test]
    fn cross_over_is_public_but_hides_employer() {
        let d = ProfileMode::CrossOver.defaults();
        assert!(!d.locked && d.discoverable);
        assert_eq!(d.employer_visibility, FieldVisibility::OnlyMe);
        assert_eq!(d.job_title_visibility, FieldVisibility::Public);
    }

    #[test]
    fn high_preset_locks_everything_and_never_widens() {
        let high = ProfileMode::Professional.defaults().with_high_privacy();
        assert!(high.locked && high.hide_collections && !high.discoverable && !high.indexable);
        assert_eq!(high.default_visibility, PostVisibility::Private);
        let mut direct = ProfileMode::Personal.defaults();
        direct.default_visibility = PostVisibility::Direct;
        assert_eq!(direct.with_high_privacy().default_visibility, PostVisibility::Direct);
    }

    #[test]
    fn enums_round_trip_through_text() {
        for m in ProfileMode::ALL {
            assert_eq!(ProfileMode::parse(m.as_str()), Some(*m));
        }
        assert_eq!(Role::parse("superuser"), None);
        assert_eq!(Role::choices(), "user, moderator, admin");
    }
}

/// One of the up to four name/value pairs on a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileField {
    pub name: String,
    pub value: String,
}

/// A login. Owns one or more [`Account`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: crate::Id,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub confirmed: bool,
    pub approved: bool,
    pub locale: Option<String>,
    pub created_at: i64,
}

/// The professional details a profile may show, each under its own visibility in
/// [`PrivacySettings`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfessionalDetails {
    pub job_title: String,
    pub profession: String,
    pub employer: String,
    pub seniority: String,
    pub location: String,
}

/// A profile: what others see and follow. Local accounts have a `user_id` and no `domain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: crate::Id,
    pub user_id: Option<crate::Id>,
    pub username: String,
    pub domain: Option<String>,
    pub uri: String,
    pub url: String,
    pub display_name: String,
    /// The bio as the person wrote it (plain text); rendered to HTML on the way out.
    pub note: String,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub fields: Vec<ProfileField>,
    pub bot: bool,
    pub kind: AccountKind,
    /// Other accounts (ids) this profile says it also is: one of them may move here.
    pub also_known_as: Vec<String>,
    /// Where this profile moved to, once it has.
    pub moved_to: Option<String>,
    pub profile_mode: ProfileMode,
    pub privacy_preset: PrivacyPreset,
    pub privacy: PrivacySettings,
    pub default_sensitive: bool,
    pub default_language: Option<String>,
    pub details: ProfessionalDetails,
    pub suspended_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Account {
    /// A new profile with `mode`'s default settings and nothing filled in yet; callers set
    /// what makes it local (`user_id`, `uri`, `url`) or remote (`domain`, and the rest from
    /// its actor document).
    pub fn new_blank(id: crate::Id, username: &str, mode: ProfileMode, now: i64) -> Account {
        Account {
            id,
            user_id: None,
            username: username.to_string(),
            domain: None,
            uri: String::new(),
            url: String::new(),
            display_name: String::new(),
            note: String::new(),
            avatar_url: None,
            header_url: None,
            fields: Vec::new(),
            bot: false,
            kind: AccountKind::Person,
            also_known_as: Vec::new(),
            moved_to: None,
            profile_mode: mode,
            privacy_preset: PrivacyPreset::Standard,
            privacy: mode.defaults(),
            default_sensitive: false,
            default_language: None,
            details: ProfessionalDetails::default(),
            suspended_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// `user` for local accounts, `user@domain` for remote ones, as Mastodon's `acct`.
    pub fn acct(&self) -> String {
        match &self.domain {
            None => self.username.clone(),
            Some(d) => format!("{}@{}", self.username, d),
        }
    }

    /// Switches profile mode, resetting the settings the mode decides to its defaults.
    /// With the high preset on, the result is made private again.
    pub fn apply_mode(&mut self, mode: ProfileMode) {
        self.profile_mode = mode;
        self.privacy = mode.defaults();
        if self.privacy_preset == PrivacyPreset::High {
            self.privacy = self.privacy.clone().with_high_privacy();
        }
    }

    /// Turns the privacy preset on or off. Turning `high` off keeps the settings as they
    /// are (nothing is silently made public); the person widens what they choose.
    pub fn apply_preset(&mut self, preset: PrivacyPreset) {
        self.privacy_preset = preset;
        if preset == PrivacyPreset::High {
            self.privacy = self.privacy.clone().with_high_privacy();
        }
    }
}
