use canteen_app::media::MediaRecord;
use serde_json::{Value, json};

/// Mastodon's `MediaAttachment`.
pub fn media_from_domain(public_url: &str, m: &MediaRecord) -> Value {
    let aspect = |w: i64, h: i64| if h == 0 { 0.0 } else { w as f64 / h as f64 };
    json!({
        "id": m.id.to_string(),
        "type": m.kind,
        // Another server's file is not copied here: its own address, as Mastodon shows an
        // uncached remote file.
        "url": m.remote_url.clone().unwrap_or_else(|| format!("{public_url}/system/media/{}", m.file_key)),
        "preview_url": m.remote_url.clone().unwrap_or_else(|| format!("{public_url}/system/media/{}", m.preview_key)),
        "remote_url": m.remote_url,
        "text_url": null,
        "preview_remote_url": null,
        "meta": {
            "original": {"width": m.width, "height": m.height, "size": format!("{}x{}", m.width, m.height), "aspect": aspect(m.width, m.height)},
            "small": {"width": m.preview_width, "height": m.preview_height, "size": format!("{}x{}", m.preview_width, m.preview_height), "aspect": aspect(m.preview_width, m.preview_height)},
            "focus": {"x": m.focus_x, "y": m.focus_y}
        },
        "description": if m.description.is_empty() { Value::Null } else { Value::String(m.description.clone()) },
        "blurhash": m.blurhash,
    })
}
