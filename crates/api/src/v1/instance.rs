//! `/api/v1/instance` (v1 entity) and `/api/v1/instance/rules`.

use axum::Json;
use axum::extract::State;
use canteen_app::{App, instance};
use canteen_domain::registration::RegistrationMode;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::version_string;

/// The limits both instance versions report; apps read them to size their forms.
pub fn configuration(app: &App) -> Value {
    json!({
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": app.config.max_post_chars,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": 16_777_216,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": 103_809_024,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400
        },
        "polls": {
            "max_options": app.config.poll_max_options,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2_629_746
        }
    })
}

pub async fn rules_json(app: &App) -> ApiResult<Vec<Value>> {
    Ok(instance::rules(app)
        .await?
        .into_iter()
        .map(|r| json!({"id": r.id.to_string(), "text": r.text, "hint": r.hint}))
        .collect())
}

pub fn streaming_url(app: &App) -> String {
    app.config.public_url.replacen("http", "ws", 1)
}

/// `GET /api/v1/instance`.
pub async fn show(State(app): State<App>) -> ApiResult<Json<Value>> {
    let stats = instance::stats(&app).await?;
    let registration = canteen_app::registration::current(&app).await?;
    let cfg = &app.config;
    Ok(Json(json!({
        "uri": cfg.domain(),
        "title": cfg.title,
        "short_description": cfg.description,
        "description": cfg.description,
        "email": cfg.contact_email,
        "version": version_string(),
        "urls": {"streaming_api": streaming_url(&app)},
        "stats": {"user_count": stats.user_count, "status_count": stats.status_count, "domain_count": stats.domain_count},
        "thumbnail": null,
        "languages": ["en"],
        "registrations": registration.mode != RegistrationMode::Closed,
        "approval_required": registration.mode == RegistrationMode::Approval,
        "invites_enabled": false,
        "configuration": configuration(&app),
        "contact_account": null,
        "rules": rules_json(&app).await?,
    })))
}

/// `GET /api/v1/instance/rules`.
pub async fn rules(State(app): State<App>) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(rules_json(&app).await?))
}
