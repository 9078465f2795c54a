//! Media uploads. Every image is decoded and re-encoded from its pixels, so nothing of the
//! uploaded file but the picture survives: no EXIF (GPS location first), no XMP, no
//! comments. The EXIF orientation is applied to the pixels before it is dropped.
//!
//! Files go to a [`MediaFiles`] store (the data dir now; S3-compatible storage later) under
//! random 256-bit keys: media URLs are unguessable, as in Mastodon, because browsers fetch
//! images without credentials.

use std::io::Cursor;
use std::path::PathBuf;

use canteen_domain::Id;
use canteen_domain::validation::Invalid;
use canteen_store::Exec;
use canteen_store::media as store;
pub use canteen_store::media::MediaRecord;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Mastodon's `image_matrix_limit`.
pub const MAX_PIXELS: u64 = 33_177_600;
const PREVIEW_EDGE: u32 = 640;
pub const MAX_DESCRIPTION: usize = 1500;

/// Where media files are kept.
pub trait MediaFiles: Send + Sync {
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
    fn delete(&self, key: &str) -> std::io::Result<()>;
}

/// Files in a folder of the data dir.
pub struct FsMediaFiles {
    root: PathBuf,
}

impl FsMediaFiles {
    pub fn new(root: PathBuf) -> FsMediaFiles {
        FsMediaFiles { root }
    }

    /// Keys are our own random names; refuse anything else so a key can never walk out of
    /// the folder.
    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        if key.is_empty()
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            || key.contains("..")
        {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad media key"));
        }
        Ok(self.root.join(key))
    }
}

impl MediaFiles for FsMediaFiles {
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.root)?;
        let path = self.path(key)?;
        // Write then rename, so a crash never leaves half a file under a live key.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(tmp, path)
    }

    fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(key)?)
    }

    fn delete(&self, key: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// A processed image: re-encoded original, preview, sizes and blurhash.
#[derive(Debug, Clone)]
pub struct Processed {
    pub original: Vec<u8>,
    pub mime: &'static str,
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
    pub preview: Vec<u8>,
    pub preview_width: u32,
    pub preview_height: u32,
    pub blurhash: String,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::invalid(Invalid::new("file", "ERR_INVALID", message))
}

/// Decodes (within limits), orients, strips and re-encodes an image. CPU-bound: call from
/// a blocking task.
pub fn process(bytes: &[u8]) -> Result<Processed> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::TooLarge(format!("The file is larger than {} MB", MAX_BYTES / (1024 * 1024))));
    }
    let reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| bad("The file could not be read"))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP)) => f,
        Some(_) | None => {
            return Err(bad(
                "Only JPEG, PNG, GIF and WebP images can be uploaded here; video and audio are not supported yet",
            ));
        }
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 1024 * 1024);
    let mut decoder = {
        let mut r = reader;
        r.limits(limits);
        r.into_decoder().map_err(|e| bad(format!("The image could not be decoded: {e}")))?
    };
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(bad(format!("The image is {w}×{h}; the most this server accepts is {MAX_PIXELS} pixels")));
    }
    let orientation = decoder.orientation().ok();
    let mut img =
        DynamicImage::from_decoder(decoder).map_err(|e| bad(format!("The image could not be decoded: {e}")))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    // Re-encoding from pixels is what strips the metadata.
    let (original, mime, ext) = match format {
        ImageFormat::Jpeg => (encode_jpeg(&img)?, "image/jpeg", "jpg"),
        _ => (encode_png(&img)?, "image/png", "png"),
    };
    // `thumbnail` also enlarges; a small image is its own preview.
    let preview_img = if img.width() > PREVIEW_EDGE || img.height() > PREVIEW_EDGE {
        img.thumbnail(PREVIEW_EDGE, PREVIEW_EDGE)
    } else {
        img.clone()
    };
    let preview = encode_jpeg(&preview_img)?;
    let small = img.thumbnail(32, 32).to_rgba8();
    let blurhash = blurhash::encode(4, 3, small.width(), small.height(), small.as_raw()).unwrap_or_default();
    Ok(Processed {
        original,
        mime,
        ext,
        width: img.width(),
        height: img.height(),
        preview,
        preview_width: preview_img.width(),
        preview_height: preview_img.height(),
        blurhash,
    })
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let rgb = img.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&rgb)
        .map_err(|e| AppError::Internal(format!("jpeg encode: {e}")))?;
    Ok(out)
}

fn encode_png(img: &DynamicImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("png encode: {e}")))?;
    Ok(out)
}

fn check_description(description: &str, focus: Option<(f64, f64)>) -> Result<()> {
    let mut problems = Vec::new();
    if description.chars().count() > MAX_DESCRIPTION {
        problems.push(Invalid::new(
            "description",
            "ERR_TOO_LONG",
            format!("Description is too long (maximum is {MAX_DESCRIPTION} characters)"),
        ));
    }
    if let Some((x, y)) = focus
        && !((-1.0..=1.0).contains(&x) && (-1.0..=1.0).contains(&y))
    {
        problems.push(Invalid::new("focus", "ERR_INVALID", "Focus must be two numbers between -1.0 and 1.0, as `x,y`"));
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

/// Parses Mastodon's `focus=x,y`.
pub fn parse_focus(s: &str) -> Result<(f64, f64)> {
    let invalid = || {
        AppError::invalid(Invalid::new(
            "focus",
            "ERR_INVALID",
            "Focus must be two numbers between -1.0 and 1.0, as `x,y`",
        ))
    };
    let (x, y) = s.split_once(',').ok_or_else(invalid)?;
    let (x, y) = (x.trim().parse::<f64>().map_err(|_| invalid())?, y.trim().parse::<f64>().map_err(|_| invalid())?);
    check_description("", Some((x, y)))?;
    Ok((x, y))
}

/// Stores an upload for the caller, not yet attached to a post.
pub async fn upload(
    app: &App,
    auth: &Auth,
    bytes: Vec<u8>,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> Result<MediaRecord> {
    let (_, me) = auth.signed_in()?;
    let description = description.unwrap_or_default();
    check_description(&description, focus)?;
    let p =
        tokio::task::spawn_blocking(move || process(&bytes)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let key = crate::secrets::random_token()?;
    let (file_key, preview_key) = (format!("{key}.{}", p.ext), format!("{key}-small.jpg"));
    let files = app.media_files.clone();
    let (orig, prev) = (p.original.clone(), p.preview.clone());
    let (fk, pk) = (file_key.clone(), preview_key.clone());
    tokio::task::spawn_blocking(move || files.put(&fk, &orig).and_then(|_| files.put(&pk, &prev)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("could not store media: {e}")))?;
    let (fx, fy) = focus.unwrap_or((0.0, 0.0));
    let rec = MediaRecord {
        id: app.next_id().0,
        account_id: me.id.0,
        status_id: None,
        kind: "image".into(),
        mime: p.mime.into(),
        file_key,
        preview_key,
        size: p.original.len() as i64,
        width: p.width.into(),
        height: p.height.into(),
        preview_width: p.preview_width.into(),
        preview_height: p.preview_height.into(),
        blurhash: p.blurhash,
        description,
        focus_x: fx,
        focus_y: fy,
        position: 0,
        created_at: now_ms(),
        remote_url: None,
    };
    store::insert(app.store.writer(), &rec).await?;
    Ok(rec)
}

/// One of the caller's uploads (another's is answered like a missing one).
pub async fn own(app: &App, auth: &Auth, id: Id) -> Result<MediaRecord> {
    let (_, me) = auth.signed_in()?;
    match store::by_id(app.store.reader(), id).await? {
        Some(m) if m.account_id == me.id.0 => Ok(m),
        _ => Err(AppError::NotFound("Record not found".into())),
    }
}

pub async fn update(
    app: &App,
    auth: &Auth,
    id: Id,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> Result<MediaRecord> {
    let m = own(app, auth, id).await?;
    let description = description.unwrap_or(m.description.clone());
    check_description(&description, focus)?;
    let focus = focus.unwrap_or((m.focus_x, m.focus_y));
    store::update_description(app.store.writer(), id, &description, focus).await?;
    own(app, auth, id).await
}

/// A stored file for serving: bytes, type, and whether shared caches may keep it (only
/// files of public and unlisted posts). Unknown keys are `None`.
pub async fn file(app: &App, key: &str) -> Result<Option<(Vec<u8>, String, bool)>> {
    let Some(m) = store::by_file_key(app.store.reader(), key).await? else { return Ok(None) };
    let mime = if key == m.preview_key { "image/jpeg".to_string() } else { m.mime.clone() };
    let public =
        matches!(store::visibility_of_file(app.store.reader(), key).await?.as_deref(), Some("public" | "unlisted"));
    let files = app.media_files.clone();
    let key = key.to_string();
    let bytes =
        tokio::task::spawn_blocking(move || files.get(&key)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(bytes.ok().map(|b| (b, mime, public)))
}

/// Deletes stored files (of a deleted post), off the async threads.
pub async fn remove_files(app: &App, keys: Vec<(String, String)>) {
    let files = app.media_files.clone();
    let _ = tokio::task::spawn_blocking(move || {
        for (a, b) in keys {
            if let Err(e) = files.delete(&a).and_then(|_| files.delete(&b)) {
                tracing::warn!(error = %e, "could not delete a media file");
            }
        }
    })
    .await;
}

/// Checks that `ids` are the caller's own unattached uploads (at most four) before a post
/// takes them.
pub async fn for_new_post(app: &App, auth: &Auth, ids: &[Id]) -> Result<Vec<MediaRecord>> {
    if ids.len() > 4 {
        return Err(AppError::invalid(Invalid::new(
            "media_ids",
            "ERR_TOO_LONG",
            "A post can have at most 4 attachments",
        )));
    }
    let mut out = Vec::new();
    for id in ids {
        let m = own(app, auth, *id).await?;
        if m.status_id.is_some() {
            return Err(AppError::invalid(Invalid::new(
                "media_ids",
                "ERR_TAKEN",
                "That attachment is already part of another post",
            )));
        }
        out.push(m);
    }
    Ok(out)
}

/// Stores an avatar or header image (stripped like any upload) and returns its URL.
pub async fn profile_image(app: &App, auth: &Auth, bytes: Vec<u8>) -> Result<String> {
    let rec = upload(app, auth, bytes, None, None).await?;
    Ok(format!("{}/system/media/{}", app.config.public_url, rec.file_key))
}

/// A media file on a post from another server, as its `attachment` describes it.
#[derive(Debug, Clone)]
pub struct RemoteMedia {
    pub url: String,
    pub mime: String,
    pub description: String,
    pub blurhash: String,
    pub width: i64,
    pub height: i64,
    pub focus: (f64, f64),
}

/// Records a remote post's media (at most four, in order) with the post, in its transaction.
/// Nothing is downloaded: the address is kept, and shown as a link where our pages cannot load it.
pub async fn attach_remote(app: &App, e: Exec<'_>, status: Id, author: Id, media: &[RemoteMedia]) -> Result<()> {
    let mut e = e;
    for (position, m) in media.iter().take(4).enumerate() {
        let id = app.next_id().0;
        let kind = match m.mime.split('/').next() {
            Some("image") => {
                if m.mime == "image/gif" {
                    "gifv"
                } else {
                    "image"
                }
            }
            Some("video") => "video",
            Some("audio") => "audio",
            _ => "unknown",
        };
        let rec = MediaRecord {
            id,
            account_id: author.0,
            status_id: Some(status.0),
            kind: kind.into(),
            mime: m.mime.clone(),
            // Never a stored file: these keys match no file, so `/system/media/` answers 404.
            file_key: format!("remote-{id}"),
            preview_key: format!("remote-{id}-preview"),
            size: 0,
            width: m.width,
            height: m.height,
            preview_width: m.width,
            preview_height: m.height,
            blurhash: m.blurhash.clone(),
            description: m.description.clone(),
            focus_x: m.focus.0,
            focus_y: m.focus.1,
            position: position as i64,
            created_at: now_ms(),
            remote_url: Some(m.url.clone()),
        };
        store::insert(e.reborrow(), &rec).await?;
    }
    Ok(())
}
