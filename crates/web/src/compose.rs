//! Writing a post from the home page: `POST /compose` posts (or, for a post written in
//! anger, waits an hour), `POST /compose/check` returns the guard's report for the draft as
//! JSON while the author types (`assets/canteen/compose.js`). Both go through the same use
//! cases as the API, so the guard cannot be skipped from the browser either.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use canteen_app::statuses::NewPost;
use canteen_app::{App, AppError, guard};
use canteen_domain::status::Visibility;
use canteen_guard::{Category, Report, Severity, Verdict};
use serde::{Deserialize, Serialize};

use crate::forms::{Errors, see_other, session_for_form};
use crate::home;
use crate::pages;
use crate::session::Visitor;

#[derive(Deserialize, Default, Clone)]
pub struct ComposeForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub spoiler_text: String,
    #[serde(default)]
    pub visibility: String,
    /// The fingerprint of the report whose warnings the author was shown.
    #[serde(default)]
    pub guard_ack: String,
    /// "true" when the author ticked "I have checked this post and still want to post it".
    #[serde(default)]
    pub confirm: Option<String>,
    /// "later": wait an hour before posting (offered for posts written in anger).
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub csrf_token: String,
    /// A picture already uploaded with an earlier try of this post (the browser cannot
    /// send a file field again).
    #[serde(default)]
    pub media_id: String,
    /// The picture's description for people who cannot see it.
    #[serde(default)]
    pub image_description: String,
    /// "true": the author confirms no patient can be identified in the picture.
    #[serde(default)]
    pub image_no_patient: Option<String>,
    /// "true" when the draft has a picture (sent by `compose.js` to the live check).
    #[serde(default)]
    pub has_media: Option<String>,
    /// Up to four poll choices; a poll is made when any is filled in.
    #[serde(default)]
    pub poll_option_1: String,
    #[serde(default)]
    pub poll_option_2: String,
    #[serde(default)]
    pub poll_option_3: String,
    #[serde(default)]
    pub poll_option_4: String,
    /// How long the poll runs, in seconds.
    #[serde(default)]
    pub poll_expires_in: String,
    #[serde(default)]
    pub poll_multiple: Option<String>,
    /// The post this one answers (set by a thread's reply form).
    #[serde(default)]
    pub in_reply_to_id: String,
    /// When to send it, as a UK date and time (`2026-11-21T14:30`); blank: now.
    #[serde(default)]
    pub schedule_at: String,
}

impl ComposeForm {
    /// The poll's choices as filled in (blank ones left out).
    pub fn poll_options(&self) -> Vec<String> {
        [&self.poll_option_1, &self.poll_option_2, &self.poll_option_3, &self.poll_option_4]
            .into_iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect()
    }

    fn poll(&self) -> Option<canteen_app::polls::NewPoll> {
        let options = self.poll_options();
        (!options.is_empty()).then(|| canteen_app::polls::NewPoll {
            options,
            expires_in: self.poll_expires_in.parse().unwrap_or(86_400),
            multiple: self.poll_multiple.as_deref() == Some("true"),
            hide_totals: false,
        })
    }
}

/// How long a poll may run, as the form offers it.
pub const POLL_LENGTHS: [(&str, &str); 4] =
    [("3600", "1 hour"), ("86400", "1 day"), ("259200", "3 days"), ("604800", "7 days")];

/// The compose form as sent (`multipart/form-data`, because of the picture).
async fn read_form(mut mp: axum::extract::Multipart) -> Result<(ComposeForm, Option<Vec<u8>>), String> {
    // The text fields read as the urlencoded form would be (`ComposeForm`'s serde names), so
    // the two kinds of body cannot drift apart.
    let mut fields = serde_json::Map::new();
    let mut image = None;
    while let Some(field) = mp.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "image" {
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            // An empty file field is sent when no picture was chosen.
            if !bytes.is_empty() {
                image = Some(bytes.to_vec());
            }
            continue;
        }
        let value = field.text().await.map_err(|e| e.to_string())?;
        fields.insert(name, serde_json::Value::String(value));
    }
    let f = serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| e.to_string())?;
    Ok((f, image))
}

/// One choice of audience, described by who will see the post.
pub struct AudienceChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub checked: bool,
}

const AUDIENCES: [(&str, &str, &str); 5] = [
    (
        "public",
        "Everyone",
        "Anyone, signed in or not, on this server and others. It can appear in public timelines and search.",
    ),
    (
        "unlisted",
        "Everyone, quietly",
        "Anyone with the link or who visits your profile, but not in public timelines, hashtags or search.",
    ),
    ("private", "Your followers", "Only people who follow you. Nobody can share it further."),
    ("mutuals", "Mutual followers", "Only people you follow who also follow you."),
    ("direct", "Only the people you mention", "A private message to each @name in the post."),
];

/// Who will see a post with audience `kind`, in the words of the audience picker.
pub fn audience_label(kind: &str) -> &'static str {
    AUDIENCES.iter().find(|(value, _, _)| *value == kind).map(|(_, label, _)| *label).unwrap_or("People you chose")
}

pub fn audiences(chosen: &str) -> Vec<AudienceChoice> {
    AUDIENCES
        .iter()
        .map(|(value, label, hint)| AudienceChoice { value, label, hint, checked: *value == chosen })
        .collect()
}

/// A stretch of the checked text, marked when a finding covers it.
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

/// One finding as the compose form shows it.
pub struct FindingView {
    pub label: &'static str,
    pub message: String,
    pub blocks: bool,
}

/// The guard's report as the compose form shows it.
pub struct GuardView {
    pub blocks: bool,
    pub findings: Vec<FindingView>,
    /// The checked text with each finding's span marked.
    pub preview: Vec<Segment>,
    pub fingerprint: String,
    /// Only tone was found (anger, a grievance): "wait and post later" is offered.
    pub tone_only: bool,
}

/// A short plain name for a category, as a heading for its message.
pub fn label(c: Category) -> &'static str {
    match c {
        Category::NhsNumber => "NHS number",
        Category::ChiNumber => "CHI number",
        Category::HcNumber => "Health and Care number",
        Category::Nino => "National Insurance number",
        Category::HospitalNumber => "Hospital number",
        Category::DateOfBirth => "Date of birth",
        Category::Address => "Address",
        Category::PhoneNumber => "Phone number",
        Category::EmailAddress => "Email address",
        Category::PatientName => "Patient's name",
        Category::CareLocation => "Where a patient is",
        Category::IndirectIdentifiers => "Details that could identify someone",
        Category::PhotoOfPatient => "Picture",
        Category::NegativeEmotion => "Written while upset?",
        Category::Grievance => "A grievance in public?",
    }
}

fn is_tone(c: Category) -> bool {
    matches!(c, Category::NegativeEmotion | Category::Grievance)
}

/// Only tone was found (anger, a grievance): "wait and post later" is offered.
fn tone_only(report: &Report) -> bool {
    !report.findings.is_empty() && report.findings.iter().all(|f| is_tone(f.category))
}

/// Splits `text` at the findings' spans (which the guard keeps on character boundaries).
fn segments(text: &str, report: &Report) -> Vec<Segment> {
    let mut spans: Vec<(usize, usize)> =
        report.findings.iter().filter(|f| f.end > f.start && f.end <= text.len()).map(|f| (f.start, f.end)).collect();
    spans.sort();
    let mut out = Vec::new();
    let mut at = 0;
    for (start, end) in spans {
        let start = start.max(at);
        if end <= start || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        if start > at {
            out.push(Segment { text: text[at..start].to_string(), marked: false });
        }
        out.push(Segment { text: text[start..end].to_string(), marked: true });
        at = end;
    }
    if at < text.len() {
        out.push(Segment { text: text[at..].to_string(), marked: false });
    }
    out
}

pub fn guard_view(checked: &str, report: &Report) -> GuardView {
    GuardView {
        blocks: report.verdict == Verdict::Block,
        findings: report
            .findings
            .iter()
            .map(|f| FindingView {
                label: label(f.category),
                message: f.message.clone(),
                blocks: f.severity == Severity::Block,
            })
            .collect(),
        preview: segments(checked, report),
        fingerprint: report.fingerprint.clone(),
        tone_only: tone_only(report),
    }
}

fn draft_of<'a>(f: &'a ComposeForm, poll_options: &'a [String]) -> guard::Draft<'a> {
    guard::Draft { text: &f.status, spoiler_text: &f.spoiler_text, poll_options }
}

fn context(visibility: Visibility, f: &ComposeForm) -> canteen_guard::Context {
    canteen_guard::Context {
        visibility: guard::audience(visibility),
        has_media: !f.media_id.is_empty() || f.has_media.as_deref() == Some("true"),
        media_confirmed_no_patient: f.image_no_patient.as_deref() == Some("true"),
    }
}

/// How long "wait and post later" waits.
const COOLING_OFF_MS: i64 = 60 * 60 * 1000;

/// The home page again with the form as sent, what the guard found, and the errors (422).
async fn refuse(
    app: &App,
    session: &canteen_app::web::WebSession,
    f: &ComposeForm,
    guard: Option<GuardView>,
    errors: Errors,
) -> Response {
    home::page(app, session, home::ComposeState::from_form(f, guard, errors), None, StatusCode::UNPROCESSABLE_ENTITY)
        .await
}

/// An error on one field.
fn error(field: &'static str, message: impl Into<String>) -> Errors {
    let mut errors = Errors::default();
    errors.add(field, message);
    errors
}

/// `POST /compose`.
pub async fn submit(State(app): State<App>, visitor: Visitor, mp: axum::extract::Multipart) -> Response {
    let (mut f, image) = match read_form(mp).await {
        Ok(found) => found,
        Err(e) => {
            return pages::bad_request(visitor.session.as_ref(), &format!("The form could not be read: {e}"));
        }
    };
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let auth = match session.auth() {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    let Some(visibility) = Visibility::parse(&f.visibility).filter(|v| !matches!(v, Visibility::Circle(_))) else {
        return refuse(&app, session, &f, None, error("visibility-public", "Choose who can see this post")).await;
    };
    // A picture needs words for people who cannot see it.
    let has_picture = image.is_some() || !f.media_id.is_empty();
    if has_picture && f.image_description.trim().is_empty() {
        let errors = error("image_description", "Describe the picture for people who cannot see it");
        return refuse(&app, session, &f, None, errors).await;
    }
    // The picture is stored (metadata stripped) on the first try, so a refused post keeps it.
    if let Some(bytes) = image {
        match canteen_app::media::upload(&app, &auth, bytes, Some(f.image_description.trim().to_string()), None).await {
            Ok(rec) => f.media_id = rec.id.to_string(),
            Err(e) => {
                return match Errors::from_app(&e, &[], "image") {
                    Some(errors) => refuse(&app, session, &f, None, errors).await,
                    None => pages::internal_error(&e),
                };
            }
        }
    } else if let Some(id) = canteen_domain::Id::parse(&f.media_id) {
        // The description may have been corrected since the first try.
        let description = Some(f.image_description.trim().to_string());
        if let Err(e) = canteen_app::media::update(&app, &auth, id, description, None).await {
            return match e {
                AppError::NotFound(_) => pages::not_found(Some(session)),
                e => pages::internal_error(&e),
            };
        }
    }
    let media_ids: Vec<canteen_domain::Id> = canteen_domain::Id::parse(&f.media_id).into_iter().collect();
    let in_reply_to_id = match f.in_reply_to_id.trim() {
        "" => None,
        given => match canteen_domain::Id::parse(given) {
            Some(id) => Some(id),
            None => return pages::bad_request(Some(session), "The post you are replying to could not be found."),
        },
    };
    let chosen_time = match f.schedule_at.trim() {
        "" => None,
        given => match crate::uk_time::parse_local(given) {
            Some(at) => Some(at),
            None => {
                let errors = error("schedule_at", "Enter the date and time to send it, for example 21/11/2026 14:30");
                return refuse(&app, session, &f, None, errors).await;
            }
        },
    };
    let later = f.action == "later";
    // Waiting an hour is itself the author's answer to a warning about tone.
    let acknowledged = f.confirm.as_deref() == Some("true") || later;
    let post = NewPost {
        text: f.status.clone(),
        spoiler_text: f.spoiler_text.clone(),
        visibility: Some(visibility),
        guard_ack: acknowledged.then(|| f.guard_ack.clone()).filter(|a| !a.is_empty()),
        media_confirmed_no_patient: f.image_no_patient.as_deref() == Some("true"),
        media_ids: media_ids.clone(),
        poll: f.poll(),
        in_reply_to_id,
        ..Default::default()
    };
    let outcome = if later {
        let at = canteen_app::clock::now_ms() + COOLING_OFF_MS;
        canteen_app::scheduled::schedule(&app, &auth, post, at).await.map(|_| "/?posted=later".to_string())
    } else if let Some(at) = chosen_time {
        canteen_app::scheduled::schedule(&app, &auth, post, at).await.map(|_| "/scheduled?added=1".to_string())
    } else {
        canteen_app::statuses::create(&app, &auth, post).await.map(|created| match in_reply_to_id {
            // A reply is shown in its conversation; a new post on the home page.
            Some(_) => format!("/@{}/{}", session.account.username, created.status.id.0),
            None => "/?posted=now".to_string(),
        })
    };
    match outcome {
        Ok(to) => see_other(&to),
        Err(AppError::Guard { report, .. }) => {
            // The report the app judged the post by (not a second check that could differ).
            let report: Report = match serde_json::from_value(report) {
                Ok(r) => r,
                Err(e) => return pages::internal_error(&AppError::Internal(format!("guard report: {e}"))),
            };
            let options = f.poll_options();
            let view = guard_view(&guard::checked_string(draft_of(&f, &options)), &report);
            let first = report.findings.first().map(|x| x.message.clone()).unwrap_or_default();
            refuse(&app, session, &f, Some(view), error("status", first)).await
        }
        // Replying to a post the author may not see (or that was deleted meanwhile).
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(e) => match Errors::from_app(
            &e,
            &[
                ("status", "status"),
                ("language", "status"),
                ("poll[options]", "poll_option_1"),
                ("poll[expires_in]", "poll_expires_in"),
                ("scheduled_at", "schedule_at"),
            ],
            "status",
        ) {
            Some(errors) => refuse(&app, session, &f, None, errors).await,
            None => pages::internal_error(&e),
        },
    }
}

#[derive(Serialize)]
struct CheckedFinding {
    category: &'static str,
    label: &'static str,
    severity: &'static str,
    message: String,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct Checked {
    verdict: &'static str,
    fingerprint: String,
    tone_only: bool,
    findings: Vec<CheckedFinding>,
    /// The text the spans index (the content warning, a blank line, then the post).
    checked: String,
}

/// `POST /compose/check`: the guard's report on a draft (changes nothing).
pub async fn check(State(app): State<App>, visitor: Visitor, Form(f): Form<ComposeForm>) -> Response {
    let Some(session) = &visitor.session else {
        return (StatusCode::UNAUTHORIZED, Json(serde_json::json!({"error": "Sign in to check a post"})))
            .into_response();
    };
    if !canteen_app::web::csrf_matches(session, &f.csrf_token) {
        return (StatusCode::FORBIDDEN, Json(serde_json::json!({"error": "This form has expired; refresh the page"})))
            .into_response();
    }
    let visibility = Visibility::parse(&f.visibility).unwrap_or(Visibility::Public);
    let options = f.poll_options();
    let report = match guard::check(&app, draft_of(&f, &options), context(visibility, &f)).await {
        Ok(r) => r,
        Err(e) => return pages::internal_error(&e),
    };
    Json(Checked {
        verdict: report.verdict.name(),
        fingerprint: report.fingerprint.clone(),
        tone_only: tone_only(&report),
        findings: report
            .findings
            .iter()
            .map(|x| CheckedFinding {
                category: x.category.name(),
                label: label(x.category),
                severity: if x.severity == Severity::Block { "block" } else { "warn" },
                message: x.message.clone(),
                start: x.start,
                end: x.end,
            })
            .collect(),
        checked: guard::checked_string(draft_of(&f, &options)),
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_mark_each_span_once() {
        let policy = canteen_guard::Policy::default();
        let ctx = context(Visibility::Public, &ComposeForm::default());
        let text = "Patient NHS number 943 476 5919 seen today";
        let report = canteen_guard::check(text, &policy, &ctx);
        let segs = segments(text, &report);
        assert_eq!(segs.iter().map(|s| s.text.as_str()).collect::<String>(), text);
        assert!(segs.iter().any(|s| s.marked && s.text == "943 476 5919"), "{:?}", report.findings);
    }
}
