//! `/settings`: the profile (name, bio, professional details each with who may see it) and
//! privacy (locked, discoverable, search engines, follow lists, default audience, the "high"
//! preset); `/settings/sessions`: where you are signed in and which apps hold your tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::accounts::ProfileUpdate;
use canteen_app::web::WebSession;
use canteen_app::{App, account_security};
use canteen_domain::account::{Account, FieldVisibility, PostVisibility, PrivacyPreset};
use serde::Deserialize;

use crate::forms::{Errors, TokenForm, done_or_not_found, see_other, session_for_form};
use crate::pages::{self, Chrome, render, times};
use crate::session::Visitor;

/// One professional detail with its visibility choice.
pub struct DetailField {
    id: &'static str,
    label: &'static str,
    value: String,
    visibility: &'static str,
}

pub const VISIBILITIES: [(&str, &str); 3] =
    [("public", "Everyone"), ("followers", "Only my followers"), ("only_me", "Only me")];

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    csrf_token: String,
    username: String,
    display_name: String,
    note: String,
    /// The profile's kind, as a radio value (`person`, `organization`, `group`).
    kind: &'static str,
    kinds: &'static [(&'static str, &'static str, &'static str)],
    details: Vec<DetailField>,
    locked: bool,
    discoverable: bool,
    indexable: bool,
    hide_collections: bool,
    default_visibility: &'static str,
    high: bool,
    saved: bool,
    errors: Errors,
}

/// (value, label, hint) of the kinds of profile.
const KINDS: [(&str, &str, &str); 3] = [
    ("person", "A person", "You, speaking for yourself."),
    (
        "organization",
        "An organisation's page",
        "A trust, practice, charity or team. Other servers show it as an organisation.",
    ),
    ("group", "A group", "A shared profile for a network or special-interest group. Other servers show it as a group."),
];

fn details(a: &Account) -> Vec<DetailField> {
    let d = &a.details;
    let p = &a.privacy;
    [
        ("job_title", "Job title", &d.job_title, p.job_title_visibility),
        ("profession", "Profession", &d.profession, p.profession_visibility),
        ("employer", "Employer", &d.employer, p.employer_visibility),
        ("seniority", "Seniority", &d.seniority, p.seniority_visibility),
        ("location", "Location", &d.location, p.location_visibility),
    ]
    .into_iter()
    .map(|(id, label, value, v)| DetailField { id, label, value: value.clone(), visibility: v.as_str() })
    .collect()
}

fn page(session: &WebSession, account: &Account, saved: bool, errors: Errors) -> Response {
    let p = &account.privacy;
    let status = errors.status();
    let title = errors.title("Settings");
    let page = SettingsPage {
        chrome: Chrome::new(title, Some(session)),
        csrf_token: session.csrf_token.clone(),
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        note: account.note.clone(),
        kind: account.kind.as_str(),
        kinds: &KINDS,
        details: details(account),
        locked: p.locked,
        discoverable: p.discoverable,
        indexable: p.indexable,
        hide_collections: p.hide_collections,
        default_visibility: p.default_visibility.as_str(),
        high: account.privacy_preset == PrivacyPreset::High,
        saved,
        errors,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /settings`.
pub async fn show(visitor: Visitor, Query(q): Query<SavedQuery>) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    page(session, &session.account, q.saved.is_some(), Errors::default())
}

#[derive(Deserialize, Default)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    job_title_visibility: String,
    #[serde(default)]
    profession: String,
    #[serde(default)]
    profession_visibility: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    employer_visibility: String,
    #[serde(default)]
    seniority: String,
    #[serde(default)]
    seniority_visibility: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    location_visibility: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    csrf_token: String,
}

async fn save(
    app: &App,
    visitor: &Visitor,
    token: &str,
    up: ProfileUpdate,
    fields: &[(&str, &'static str)],
) -> Response {
    let session = match session_for_form(visitor, token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let result = async { canteen_app::accounts::update_profile(app, &session.auth()?, up.clone()).await }.await;
    match result {
        Ok(_) => see_other("/settings?saved=1"),
        Err(e) => match Errors::from_app(&e, fields, "display_name") {
            Some(errors) => {
                // Show what they typed, not what is stored.
                let mut shown = session.account.clone();
                apply_for_display(&mut shown, &up);
                page(session, &shown, false, errors)
            }
            None => pages::internal_error(&e),
        },
    }
}

fn apply_for_display(a: &mut Account, up: &ProfileUpdate) {
    if let Some(v) = &up.display_name {
        a.display_name = v.clone();
    }
    if let Some(v) = &up.note {
        a.note = v.clone();
    }
    let d = &mut a.details;
    for (slot, value) in [
        (&mut d.job_title, &up.job_title),
        (&mut d.profession, &up.profession),
        (&mut d.employer, &up.employer),
        (&mut d.seniority, &up.seniority),
        (&mut d.location, &up.location),
    ] {
        if let Some(v) = value {
            *slot = v.clone();
        }
    }
}

/// `POST /settings/profile`.
pub async fn save_profile(State(app): State<App>, visitor: Visitor, Form(f): Form<ProfileForm>) -> Response {
    let vis = |s: &str| FieldVisibility::parse(s);
    let up = ProfileUpdate {
        display_name: Some(f.display_name.trim().to_string()),
        note: Some(f.note.replace("\r\n", "\n")),
        job_title: Some(f.job_title.trim().to_string()),
        profession: Some(f.profession.trim().to_string()),
        employer: Some(f.employer.trim().to_string()),
        seniority: Some(f.seniority.trim().to_string()),
        location: Some(f.location.trim().to_string()),
        job_title_visibility: vis(&f.job_title_visibility),
        profession_visibility: vis(&f.profession_visibility),
        employer_visibility: vis(&f.employer_visibility),
        seniority_visibility: vis(&f.seniority_visibility),
        location_visibility: vis(&f.location_visibility),
        kind: canteen_domain::account::AccountKind::parse(&f.kind),
        ..Default::default()
    };
    let fields = [
        ("display_name", "display_name"),
        ("note", "note"),
        ("canteen[job_title]", "job_title"),
        ("canteen[profession]", "profession"),
        ("canteen[employer]", "employer"),
        ("canteen[seniority]", "seniority"),
        ("canteen[location]", "location"),
    ];
    save(&app, &visitor, &f.csrf_token, up, &fields).await
}

#[derive(Deserialize, Default)]
pub struct PrivacyForm {
    #[serde(default)]
    locked: Option<String>,
    #[serde(default)]
    discoverable: Option<String>,
    #[serde(default)]
    indexable: Option<String>,
    #[serde(default)]
    hide_collections: Option<String>,
    #[serde(default)]
    default_visibility: String,
    #[serde(default)]
    high: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /settings/privacy`. Unticked boxes are sent as nothing, so each means "off". The
/// "high" preset wins over anything this form would widen (the app layer enforces it).
pub async fn save_privacy(State(app): State<App>, visitor: Visitor, Form(f): Form<PrivacyForm>) -> Response {
    let on = |v: &Option<String>| Some(v.as_deref() == Some("true"));
    let up = ProfileUpdate {
        locked: on(&f.locked),
        discoverable: on(&f.discoverable),
        indexable: on(&f.indexable),
        hide_collections: on(&f.hide_collections),
        default_visibility: PostVisibility::parse(&f.default_visibility),
        privacy_preset: Some(if f.high.as_deref() == Some("true") {
            PrivacyPreset::High
        } else {
            PrivacyPreset::Standard
        }),
        ..Default::default()
    };
    save(&app, &visitor, &f.csrf_token, up, &[]).await
}

pub struct SessionRow {
    id: i64,
    started: String,
    last_seen: String,
    current: bool,
}

pub struct AppRow {
    id: i64,
    name: String,
    authorised: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "settings_sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    csrf_token: String,
    sessions: Vec<SessionRow>,
    apps: Vec<AppRow>,
}

/// `GET /settings/sessions`.
pub async fn sessions(State(app): State<App>, visitor: Visitor) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let (found, apps) =
        match (account_security::sessions(&app, session).await, account_security::authorised_apps(&app, session).await)
        {
            (Ok(s), Ok(a)) => (s, a),
            (Err(e), _) | (_, Err(e)) => return pages::internal_error(&e),
        };
    let page = SessionsPage {
        chrome: Chrome::new("Sessions and apps", Some(session)),
        csrf_token: session.csrf_token.clone(),
        sessions: found
            .iter()
            .map(|s| SessionRow {
                id: s.id,
                started: times(s.created_at).1,
                last_seen: times(s.last_seen_at).1,
                current: s.current,
            })
            .collect(),
        apps: apps
            .iter()
            .map(|a| AppRow {
                id: a.app_id,
                name: a.name.clone(),
                authorised: times(a.first_authorised_at).1,
                last_used: times(a.last_used_at).1,
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /settings/sessions/{id}/end`.
pub async fn end_session(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    done_or_not_found(account_security::end_session(&app, session, id).await, session, "/settings/sessions")
}

/// `POST /settings/apps/{id}/revoke`.
pub async fn revoke_app(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    done_or_not_found(account_security::revoke_app(&app, session, id).await, session, "/settings/sessions")
}
