//! Media uploads: metadata (GPS first) stripped, orientation applied, limits and errors,
//! attachments on posts with the guard's photo confirmation.

use crate::support;

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;
use support::{Backend, TestServer};

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn upload_request(token: &str, path: &str, file: &[u8], extra: &[(&str, &str)]) -> Request<Body> {
    upload_as(token, path, "file", file, extra)
}

/// A multipart request with `file` under the field name `field` (`avatar` for profiles).
pub(crate) fn upload_as(token: &str, path: &str, field: &str, file: &[u8], extra: &[(&str, &str)]) -> Request<Body> {
    let boundary = "media-test-boundary";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"ward.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend(file);
    body.extend(b"\r\n");
    for (k, v) in extra {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

async fn uploads_are_stripped_and_oriented(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let original = support::jpeg_with_gps();
    assert!(contains(&original, b"Exif") && contains(&original, &[0xFF, 0xE1]), "the fixture carries EXIF");
    let r = s
        .send(upload_request(
            &jo,
            "/api/v2/media",
            &original,
            &[("description", "The new garden"), ("focus", "0.5,-0.25")],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["type"], "image");
    assert_eq!(r.json["description"], "The new garden");
    assert_eq!(r.json["meta"]["focus"], json!({"x": 0.5, "y": -0.25}));
    assert_eq!(
        (r.json["meta"]["original"]["width"].as_i64(), r.json["meta"]["original"]["height"].as_i64()),
        (Some(48), Some(64)),
        "orientation applied"
    );
    assert!(r.json["blurhash"].as_str().unwrap().len() > 6);
    for field in ["url", "preview_url"] {
        let url = r.json[field].as_str().unwrap();
        let path = url.strip_prefix(support::PUBLIC_URL).unwrap();
        let req = Request::get(path).body(Body::empty()).unwrap();
        let res = tower::ServiceExt::oneshot(s.router.clone(), req).await.unwrap();
        assert_eq!(res.status(), 200, "{field}");
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
        assert!(!contains(&bytes, b"Exif") && !contains(&bytes, &[0xFF, 0xE1]), "{field} still carries EXIF");
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (48, 64), "{field} is upright");
    }
    let id = r.json["id"].as_str().unwrap().to_string();

    // Update the description; others cannot see or change it.
    let up =
        s.json(Method::PUT, &format!("/api/v1/media/{id}"), Some(&jo), json!({"description": "Garden, day two"})).await;
    assert_eq!(up.json["description"], "Garden, day two");
    let (_, sam) = s.signed_in("sam").await;
    s.get(&format!("/api/v1/media/{id}"), Some(&sam)).await.error(404);
    s.json(Method::PUT, &format!("/api/v1/media/{id}"), Some(&jo), json!({"focus": "2,0"})).await.error(422);

    // Attaching: the guard asks whether a patient can be identified in the photo.
    let warn =
        s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": "Our garden", "media_ids": [id]})).await;
    assert_eq!(warn.json["canteen_guard"]["findings"][0]["category"], "photo_of_patient", "{}", warn.text);
    let theirs = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&sam),
            json!({"status": "x", "media_ids": [id], "canteen_media_confirmed": true}),
        )
        .await;
    theirs.error(404);
    let posted = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            json!({"status": "", "media_ids": [id], "canteen_media_confirmed": true}),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.text);
    assert_eq!(posted.json["media_attachments"][0]["id"], id.as_str());
    let again = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            json!({"status": "x", "media_ids": [id], "canteen_media_confirmed": true}),
        )
        .await;
    assert_eq!(again.json["details"]["media_ids"][0]["error"], "ERR_TAKEN");
}

async fn bad_uploads_are_refused_clearly(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let before = s.count("media_attachments").await;
    let text = s.send(upload_request(&jo, "/api/v1/media", b"this is not an image", &[])).await;
    assert!(text.error(422).contains("JPEG, PNG, GIF and WebP"), "{}", text.text);
    let mut broken = support::jpeg_with_gps();
    broken.truncate(broken.len() / 3);
    let truncated = s.send(upload_request(&jo, "/api/v1/media", &broken, &[])).await;
    truncated.error(422);
    let long = "x".repeat(1501);
    let desc = s.send(upload_request(&jo, "/api/v1/media", &support::jpeg_with_gps(), &[("description", &long)])).await;
    assert_eq!(desc.json["details"]["description"][0]["error"], "ERR_TOO_LONG");
    let none = s.multipart(Method::POST, "/api/v1/media", Some(&jo), &[("description", "no file")]).await;
    assert!(none.error(400).contains("file"));
    let read_only = s.token_for("jo", "read").await;
    s.send(upload_request(&read_only, "/api/v1/media", &support::jpeg_with_gps(), &[])).await.error(403);
    assert_eq!(s.count("media_attachments").await, before, "nothing stored for refused uploads");
}

async fn avatars_and_headers_through_update_credentials(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let mut req = upload_as(
        &jo,
        "/api/v1/accounts/update_credentials",
        "avatar",
        &support::jpeg_with_gps(),
        &[("display_name", "Jo")],
    );
    *req.method_mut() = Method::PATCH;
    let r = s.send(req).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["display_name"], "Jo");
    let avatar = r.json["avatar"].as_str().unwrap();
    assert!(avatar.starts_with(&format!("{}/system/media/", support::PUBLIC_URL)), "{avatar}");
    let res = tower::ServiceExt::oneshot(
        s.router.clone(),
        Request::get(avatar.strip_prefix(support::PUBLIC_URL).unwrap()).body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    assert!(!contains(&bytes, b"Exif"));
}

backend_tests!(
    uploads_are_stripped_and_oriented,
    bad_uploads_are_refused_clearly,
    avatars_and_headers_through_update_credentials
);
