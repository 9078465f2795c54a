//! `/api/v2/instance`.

use axum::Json;
use axum::extract::State;
use canteen_app::{App, instance};
use canteen_domain::registration::RegistrationMode;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::v1::instance::{configuration, rules_json, streaming_url};
use crate::version_string;

pub async fn show(State(app): State<App>) -> ApiResult<Json<Value>> {
    let stats = instance::stats(&app).await?;
    let registration = canteen_app::registration::current(&app).await?;
    let cfg = &app.config;
    let mut configuration = configuration(&app);
    if let Some(obj) = configuration.as_object_mut() {
        obj.insert("urls".into(), json!({"streaming": streaming_url(&app), "status": null}));
        obj.insert("vapid".into(), json!({"public_key": ""}));
        obj.insert("translation".into(), json!({"enabled": false}));
        obj.insert(
            "timelines_access".into(),
            json!({
                "live_feeds": {"local": "public", "remote": "public"},
                "hashtag_feeds": {"local": "public", "remote": "public"},
                "trending_link_feeds": {"local": "public", "remote": "public"}
            }),
        );
    }
    Ok(Json(json!({
        "domain": cfg.domain(),
        "title": cfg.title,
        "version": version_string(),
        "source_url": "",
        "description": cfg.description,
        "usage": {"users": {"active_month": stats.user_count}},
        "thumbnail": {"url": format!("{}/avatars/original/missing.png", cfg.public_url)},
        "icon": [],
        "languages": ["en"],
        "configuration": configuration,
        "registrations": {
            "enabled": registration.mode != RegistrationMode::Closed,
            "approval_required": registration.mode == RegistrationMode::Approval,
            "reason_required": registration.mode == RegistrationMode::Approval,
            "message": null,
            "url": null,
            "min_age": null
        },
        "api_versions": {"mastodon": 2},
        "contact": {"email": cfg.contact_email, "account": null},
        "rules": rules_json(&app).await?,
    })))
}
