//! Attachments: the files of received media messages, fetched from the provider and
//! kept in object storage — a local directory by default, S3-compatible storage by
//! configuration. Files over the size limit or of a type not on the list are refused
//! (the message keeps the reason).

use crate::pipeline::Pipeline;
use guyub_connectors::{ChannelKind, Content, Credentials, MediaKind};
use guyub_store::messages::{self, PendingMedia};
use guyub_store::{channels, now_ms};
use std::path::PathBuf;
use std::time::Duration;

/// Where files are kept.
#[derive(Clone, Debug)]
pub enum ObjectStore {
    Local(PathBuf),
    S3 {
        bucket: rusty_s3::Bucket,
        credentials: rusty_s3::Credentials,
        http: reqwest::Client,
    },
}

/// Types a member may send: pictures, sound, video, PDF and office documents, text.
pub fn allowed_type(content_type: &str) -> bool {
    let t = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    t.starts_with("image/") && t != "image/svg+xml"
        || t.starts_with("audio/")
        || t.starts_with("video/")
        || matches!(
            t.as_str(),
            "application/pdf"
                | "text/plain"
                | "text/csv"
                | "application/msword"
                | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                | "application/vnd.ms-excel"
                | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
}

/// Types staff may upload to send, and the extension their object key carries (the
/// file route serves the type back from it).
const UPLOAD_TYPES: &[(&str, &str, MediaKind)] = &[
    ("image/jpeg", "jpg", MediaKind::Image),
    ("image/png", "png", MediaKind::Image),
    ("image/gif", "gif", MediaKind::Image),
    ("image/webp", "webp", MediaKind::Image),
    ("video/mp4", "mp4", MediaKind::Video),
    ("audio/mpeg", "mp3", MediaKind::Audio),
    ("audio/ogg", "ogg", MediaKind::Audio),
    ("audio/mp4", "m4a", MediaKind::Audio),
    ("application/pdf", "pdf", MediaKind::Document),
    ("text/plain", "txt", MediaKind::Document),
    ("text/csv", "csv", MediaKind::Document),
    ("application/msword", "doc", MediaKind::Document),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        MediaKind::Document,
    ),
    ("application/vnd.ms-excel", "xls", MediaKind::Document),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        MediaKind::Document,
    ),
];

/// The type of an uploaded file's object key, from its extension.
pub fn type_of_key(key: &str) -> Option<&'static str> {
    let ext = key.rsplit_once('.')?.1;
    UPLOAD_TYPES
        .iter()
        .find(|(_, e, _)| *e == ext)
        .map(|(t, _, _)| *t)
}

/// Where uploaded files are served from (no login: the 128-bit random name is the
/// capability, so the provider can fetch it).
pub const PUBLIC_PREFIX: &str = "out/";

/// A file staff send in a conversation.
pub struct Upload<'a> {
    pub bytes: Vec<u8>,
    pub content_type: &'a str,
    pub filename: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub channel_id: Option<guyub_domain::ChannelId>,
}

/// Keeps an uploaded file in object storage and sends it in the conversation: by a
/// link under `public_url` to channels that fetch files by URL, attached on e-mail.
/// The message shows the file to staff like a received one.
pub async fn send_file(
    pipeline: &Pipeline,
    public_url: &str,
    actor: &crate::Actor,
    conversation: guyub_domain::ConversationId,
    up: Upload<'_>,
) -> crate::Result<guyub_domain::MessageId> {
    actor.require(guyub_domain::Action::WorkInbox)?;
    let Some(store) = pipeline.media.as_ref() else {
        return Err(crate::invalid("file", "file storage is not configured"));
    };
    let limit = pipeline.settings.max_attachment_bytes;
    if up.bytes.is_empty() {
        return Err(crate::invalid("file", "the file is empty"));
    }
    if up.bytes.len() > limit {
        return Err(crate::invalid(
            "file",
            format!(
                "the file is {} bytes; the limit is {limit} bytes",
                up.bytes.len()
            ),
        ));
    }
    let ty = up
        .content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((ty, ext, kind)) = UPLOAD_TYPES.iter().find(|(t, _, _)| *t == ty) else {
        return Err(crate::invalid(
            "file",
            format!(
                "files of type {ty:?} cannot be sent (pictures, sound, video, PDF, office documents and text can)"
            ),
        ));
    };
    // Only the last path segment of a name, and only what prints.
    let filename: Option<String> = up
        .filename
        .and_then(|f| f.rsplit(['/', '\\']).next())
        .map(|f| {
            f.chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect::<String>()
        })
        .filter(|f| !f.trim().is_empty());
    let name = crate::secret::random_hex(16);
    let key = format!("{PUBLIC_PREFIX}{}/{name}.{ext}", actor.cooperative_id);
    let size = up.bytes.len() as i64;
    store
        .put(&key, up.bytes, ty)
        .await
        .map_err(crate::ServiceError::Internal)?;
    let url = format!("{}/files/{key}", public_url.trim_end_matches('/'));
    let r = crate::conversations::Reply {
        text: None,
        media: Some(crate::conversations::MediaReply {
            kind: *kind,
            url: &url,
            caption: up.caption.map(str::trim).filter(|c| !c.is_empty()),
            filename: filename.as_deref(),
            file: Some(&key),
        }),
        template: None,
        channel_id: up.channel_id,
        seen: None,
    };
    let id = crate::conversations::reply(pipeline, actor, conversation, &r).await?;
    messages::media_done(
        &mut *pipeline.db.conn().await?,
        id,
        Some((&key, ty, size)),
        None,
    )
    .await?;
    pipeline.outbox_ready.notify_one();
    Ok(id)
}

/// An uploaded file for whoever holds its link: (bytes, type).
pub async fn public_file(store: &ObjectStore, key: &str) -> Option<(Vec<u8>, &'static str)> {
    if !key.starts_with(PUBLIC_PREFIX) || check_key(key).is_err() {
        return None;
    }
    let ty = type_of_key(key)?;
    store.get(key).await.ok().flatten().map(|b| (b, ty))
}

const PRESIGN: Duration = Duration::from_secs(300);

impl ObjectStore {
    /// S3-compatible storage at `endpoint` (path-style URLs, as MinIO and most others).
    pub fn s3(
        endpoint: &str,
        bucket: &str,
        region: &str,
        key: &str,
        secret: &str,
    ) -> Result<ObjectStore, String> {
        let url = endpoint.parse().map_err(|e| format!("s3_endpoint: {e}"))?;
        let bucket = rusty_s3::Bucket::new(
            url,
            rusty_s3::UrlStyle::Path,
            bucket.to_string(),
            region.to_string(),
        )
        .map_err(|e| format!("s3_bucket: {e}"))?;
        crate::install_tls();
        Ok(ObjectStore::S3 {
            bucket,
            credentials: rusty_s3::Credentials::new(key, secret),
            http: reqwest::Client::new(),
        })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), String> {
        check_key(key)?;
        match self {
            ObjectStore::Local(dir) => {
                let path = dir.join(key);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                tokio::fs::write(&path, bytes)
                    .await
                    .map_err(|e| format!("{}: {e}", path.display()))
            }
            ObjectStore::S3 {
                bucket,
                credentials,
                http,
            } => {
                use rusty_s3::S3Action;
                let url =
                    rusty_s3::actions::PutObject::new(bucket, Some(credentials), key).sign(PRESIGN);
                let res = http
                    .put(url)
                    .header("content-type", content_type)
                    .body(bytes)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("S3 PUT answered {}", res.status()))
                }
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        check_key(key)?;
        match self {
            ObjectStore::Local(dir) => match tokio::fs::read(dir.join(key)).await {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.to_string()),
            },
            ObjectStore::S3 {
                bucket,
                credentials,
                http,
            } => {
                use rusty_s3::S3Action;
                let url =
                    rusty_s3::actions::GetObject::new(bucket, Some(credentials), key).sign(PRESIGN);
                let res = http.get(url).send().await.map_err(|e| e.to_string())?;
                match res.status().as_u16() {
                    404 => Ok(None),
                    s if (200..300).contains(&s) => {
                        Ok(Some(res.bytes().await.map_err(|e| e.to_string())?.to_vec()))
                    }
                    s => Err(format!("S3 GET answered {s}")),
                }
            }
        }
    }
}

/// Keys are made by Guyub (`media/{cooperative}/{message}`); refuse anything else.
fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty()
        || key.contains("..")
        || key.starts_with('/')
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
    {
        return Err(format!("bad object key {key:?}"));
    }
    Ok(())
}

/// A file as the provider gave it.
struct Fetched {
    bytes: Vec<u8>,
    content_type: String,
}

/// Fetches a media file from the provider: WhatsApp and Telegram in two steps (the
/// file's URL, then the file), LINE from its content endpoint, others by URL.
async fn fetch(
    http: &reqwest::Client,
    kind: ChannelKind,
    creds: &Credentials,
    media_ref: &str,
    limit: usize,
) -> Result<Fetched, String> {
    let base = creds.base();
    let (url, bearer): (String, Option<&str>) = match kind {
        ChannelKind::Whatsapp => {
            let meta: serde_json::Value = http
                .get(format!("{base}/{media_ref}"))
                .bearer_auth(creds.get("access_token"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let url = meta
                .get("url")
                .and_then(|u| u.as_str())
                .ok_or("the media has no url")?
                .to_string();
            (url, Some(creds.get("access_token")))
        }
        ChannelKind::Telegram => {
            let token = creds.get("bot_token");
            let file: serde_json::Value = http
                .post(format!("{base}/bot{token}/getFile"))
                .json(&serde_json::json!({"file_id": media_ref}))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let path = file
                .pointer("/result/file_path")
                .and_then(|p| p.as_str())
                .ok_or("getFile gave no file_path")?;
            (format!("{base}/file/bot{token}/{path}"), None)
        }
        ChannelKind::Line => {
            // LINE serves content from its data host.
            let data = base.replace("://api.line.me", "://api-data.line.me");
            (
                format!("{data}/v2/bot/message/{media_ref}/content"),
                Some(creds.get("channel_access_token")),
            )
        }
        _ if media_ref.starts_with("https://") || media_ref.starts_with("http://") => {
            (media_ref.to_string(), None)
        }
        _ => return Err("no way to fetch this media".into()),
    };
    let mut req = http.get(url).timeout(Duration::from_secs(60));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let mut res = req.send().await.map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("the provider answered {}", res.status()));
    }
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    if res.content_length().is_some_and(|n| n as usize > limit) {
        return Err(format!("larger than {limit} bytes"));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            return Err(format!("larger than {limit} bytes"));
        }
    }
    Ok(Fetched {
        bytes,
        content_type,
    })
}

impl Pipeline {
    /// Fetches the files of pending media messages; returns how many were handled.
    pub async fn fetch_media(&self) -> crate::Result<usize> {
        let (Some(store), limit) = (self.media.clone(), self.settings.max_attachment_bytes) else {
            return Ok(0);
        };
        let pending = messages::pending_media(&mut *self.db.conn().await?, 20).await?;
        for p in &pending {
            let outcome = self.fetch_one(&store, p, limit).await;
            let mut conn = self.db.conn().await?;
            match outcome {
                Ok((key, ty, size)) => {
                    messages::media_done(&mut conn, p.id, Some((&key, &ty, size)), None).await?
                }
                Err(why) => {
                    metrics::counter!("guyub_media_refused_total").increment(1);
                    messages::media_done(&mut conn, p.id, None, Some(&why)).await?
                }
            }
        }
        Ok(pending.len())
    }

    async fn fetch_one(
        &self,
        store: &ObjectStore,
        p: &PendingMedia,
        limit: usize,
    ) -> Result<(String, String, i64), String> {
        let Ok(Content::Media { media_ref, .. }) = serde_json::from_str::<Content>(&p.content)
        else {
            return Err("not a media message".into());
        };
        let mut conn = self.db.conn().await.map_err(|e| e.to_string())?;
        let c = channels::get(&mut conn, p.cooperative_id, p.channel_id)
            .await
            .map_err(|e| e.to_string())?;
        drop(conn);
        let kind = ChannelKind::parse(&c.kind).ok_or("unknown channel kind")?;
        let f = if kind == ChannelKind::Email {
            self.mail_attachment(p, &media_ref, limit).await?
        } else {
            let creds =
                crate::channels::credentials(&self.secrets, &c).map_err(|e| e.to_string())?;
            fetch(&self.http, kind, &creds, &media_ref, limit).await?
        };
        if !allowed_type(&f.content_type) {
            return Err(format!("type {} is not accepted", f.content_type));
        }
        let key = format!("media/{}/{}-{}", p.cooperative_id, p.id, now_ms());
        let size = f.bytes.len() as i64;
        store.put(&key, f.bytes, &f.content_type).await?;
        Ok((key, f.content_type, size))
    }

    /// An e-mail attachment: its bytes are in the mail's own stored event.
    async fn mail_attachment(
        &self,
        p: &PendingMedia,
        media_ref: &str,
        limit: usize,
    ) -> Result<Fetched, String> {
        let (of, index) = guyub_connectors::email::parse_attachment_ref(media_ref)
            .ok_or("not an e-mail attachment")?;
        let mut conn = self.db.conn().await.map_err(|e| e.to_string())?;
        let raw = messages::event_body(&mut conn, p.cooperative_id, p.channel_id, of)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the mail is no longer stored")?;
        drop(conn);
        let (bytes, content_type) = guyub_connectors::email::attachment(raw.as_bytes(), index)
            .ok_or("the mail has no such attachment")?;
        if bytes.len() > limit {
            return Err(format!("larger than {limit} bytes"));
        }
        Ok(Fetched {
            bytes,
            content_type,
        })
    }

    pub async fn run_media_fetcher(self) {
        loop {
            match self.fetch_media().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "fetching media failed"),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// A message's stored file and its type, for staff who may read the conversation.
pub async fn file_of(
    db: &guyub_store::Db,
    store: &ObjectStore,
    actor: &crate::Actor,
    id: guyub_domain::MessageId,
) -> crate::Result<(Vec<u8>, String)> {
    actor.require(guyub_domain::Action::WorkInbox)?;
    let (key, ty, state) =
        messages::media_of(&mut *db.conn().await?, actor.cooperative_id, id).await?;
    let (Some(key), Some(ty)) = (key, ty) else {
        return Err(crate::invalid(
            "media",
            state.unwrap_or_else(|| "this message has no file".into()),
        ));
    };
    match store
        .get(&key)
        .await
        .map_err(crate::ServiceError::Internal)?
    {
        Some(bytes) => Ok((bytes, ty)),
        None => Err(crate::ServiceError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_keys() {
        assert!(
            allowed_type("image/jpeg")
                && allowed_type("application/pdf")
                && allowed_type("audio/ogg; codecs=opus")
        );
        assert!(
            !allowed_type("image/svg+xml")
                && !allowed_type("application/x-msdownload")
                && !allowed_type("text/html")
        );
        assert!(check_key("media/1/2-3").is_ok());
        for bad in ["../etc/passwd", "/abs", "a b", "", "media/../x"] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn local_store_round_trips() {
        let dir = std::env::temp_dir().join(format!("guyub-media-{}", std::process::id()));
        let s = ObjectStore::Local(dir.clone());
        s.put("media/1/1", b"hello".to_vec(), "text/plain")
            .await
            .unwrap();
        assert_eq!(
            s.get("media/1/1").await.unwrap().as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(s.get("media/1/2").await.unwrap(), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
