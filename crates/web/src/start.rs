//! First run (`/start`): choose the profile's mode in plain words, acknowledge the
//! organisation's social-media policy (again whenever its text changes: the home page sends
//! people here until they have), then a privacy check-up (`/start/privacy`).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::onboarding::{self, SocialMediaPolicy};
use canteen_app::web::WebSession;
use canteen_app::{App, AppError};
use canteen_domain::account::{Account, FieldVisibility, PostVisibility, ProfileMode};
use serde::Deserialize;

use crate::forms::{Errors, see_other, session_for_form};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;

pub struct ModeChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub checked: bool,
}

pub struct PolicyText {
    paragraphs: Vec<String>,
    version: String,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    chrome: Chrome,
    csrf_token: String,
    modes: Vec<ModeChoice>,
    policy: Option<PolicyText>,
    errors: Errors,
}

const MODES: [(ProfileMode, &str, &str, &str); 3] = [
    (
        ProfileMode::Personal,
        "personal",
        "Personal",
        "For friends and family. Your profile is locked: you approve each follower, your posts go to followers only, search engines do not show you, and your job details are hidden.",
    ),
    (
        ProfileMode::Professional,
        "professional",
        "Professional",
        "As a member of staff, speaking about your work. Anyone can follow and find you, your posts are public, and your job title, profession and employer are shown.",
    ),
    (
        ProfileMode::CrossOver,
        "cross_over",
        "Cross-over",
        "A bit of both. Anyone can follow and find you and your posts are public, but your employer and the lists of who you follow are hidden.",
    ),
];

pub fn mode_label(mode: ProfileMode) -> &'static str {
    MODES.iter().find(|m| m.0 == mode).map(|m| m.2).unwrap_or("Personal")
}

/// The three modes as radio choices, each explained, with `chosen` selected.
pub fn mode_choices(chosen: ProfileMode) -> Vec<ModeChoice> {
    MODES.iter().map(|(mode, value, label, hint)| ModeChoice { value, label, hint, checked: *mode == chosen }).collect()
}

fn page(
    session: &WebSession,
    policy: Option<SocialMediaPolicy>,
    chosen: Option<ProfileMode>,
    errors: Errors,
) -> Response {
    let chosen = chosen.unwrap_or(session.account.profile_mode);
    let title = errors.title("Set up your profile");
    let status = errors.status();
    let page = StartPage {
        chrome: Chrome::new(title, Some(session)),
        csrf_token: session.csrf_token.clone(),
        modes: mode_choices(chosen),
        policy: policy.map(|p| PolicyText {
            paragraphs: p.text.split("\n\n").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            version: p.version,
        }),
        errors,
    };
    render(status, &page)
}

/// `GET /start`.
pub async fn show(State(app): State<App>, visitor: Visitor) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let auth = match session.auth() {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    match onboarding::policy_to_acknowledge(&app, &auth).await {
        Ok(policy) => page(session, policy, None, Errors::default()),
        Err(e) => pages::internal_error(&e),
    }
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    acknowledge: Option<String>,
    #[serde(default)]
    policy_version: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /start`.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<StartForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let auth = match session.auth() {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    let pending = match onboarding::policy_to_acknowledge(&app, &auth).await {
        Ok(p) => p,
        Err(e) => return pages::internal_error(&e),
    };
    let mode = ProfileMode::parse(&f.mode);
    let mut errors = Errors::default();
    if mode.is_none() {
        errors.add("mode-personal", "Choose how you will use this profile");
    }
    if pending.is_some() && f.acknowledge.as_deref() != Some("true") {
        errors.add("acknowledge", "Confirm that you have read your organisation's social-media policy");
    }
    if let (Some(p), true) = (&pending, errors.is_empty())
        && p.version != f.policy_version
    {
        errors
            .add("acknowledge", "The policy changed while you were reading it. Read the new version and confirm again");
    }
    let Some(mode) = mode.filter(|_| errors.is_empty()) else {
        return page(session, pending, mode, errors);
    };
    if pending.is_some() {
        match onboarding::acknowledge_policy(&app, &auth, &f.policy_version).await {
            Ok(()) => {}
            Err(AppError::Unprocessable(m)) => {
                let mut errors = Errors::default();
                errors.add("acknowledge", m);
                let fresh = onboarding::policy_to_acknowledge(&app, &auth).await.ok().flatten();
                return page(session, fresh, Some(mode), errors);
            }
            Err(e) => return pages::internal_error(&e),
        }
    }
    // Choosing the mode the profile already has leaves any settings changed since alone.
    if mode != session.account.profile_mode
        && let Err(e) = onboarding::choose_mode(&app, &auth, mode).await
    {
        return pages::internal_error(&e);
    }
    see_other("/start/privacy")
}

#[derive(Template)]
#[template(path = "privacy_checkup.html")]
struct PrivacyCheckup {
    chrome: Chrome,
    mode_label: &'static str,
    username: String,
    rows: Vec<(&'static str, String)>,
}

fn field_words(v: FieldVisibility) -> &'static str {
    match v {
        FieldVisibility::Public => "shown to everyone",
        FieldVisibility::Followers => "shown to your followers only",
        FieldVisibility::OnlyMe => "hidden (only you)",
    }
}

/// What each privacy setting means for this profile, in plain words.
pub fn privacy_rows(a: &Account) -> Vec<(&'static str, String)> {
    let p = &a.privacy;
    let yes_no = |b: bool, yes: &str, no: &str| if b { yes.to_string() } else { no.to_string() };
    vec![
        ("Who can follow you", yes_no(p.locked, "Only people you approve", "Anyone")),
        (
            "Who sees your new posts",
            match p.default_visibility {
                PostVisibility::Public => "Anyone, including people who are not signed in".into(),
                PostVisibility::Unlisted => "Anyone with the link, but not in public timelines or search".into(),
                PostVisibility::Private => "Only your followers".into(),
                PostVisibility::Direct => "Only the people you mention".into(),
            },
        ),
        ("Suggested to others and found in search", yes_no(p.discoverable, "Yes", "No")),
        ("Shown by search engines", yes_no(p.indexable, "Yes", "No")),
        ("Who you follow and who follows you", yes_no(p.hide_collections, "Hidden", "Shown on your profile")),
        ("Job title", field_words(p.job_title_visibility).into()),
        ("Employer", field_words(p.employer_visibility).into()),
        ("Location", field_words(p.location_visibility).into()),
    ]
}

/// `GET /start/privacy`.
pub async fn privacy(visitor: Visitor) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let page = PrivacyCheckup {
        chrome: Chrome::new("Your privacy check-up", Some(session)),
        mode_label: mode_label(session.account.profile_mode),
        username: session.account.username.clone(),
        rows: privacy_rows(&session.account),
    };
    render(StatusCode::OK, &page)
}
