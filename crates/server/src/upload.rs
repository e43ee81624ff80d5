//! Files staff send: the multipart form of the API and the conversation page, read
//! with the size limit checked as the bytes arrive, and the public route that serves
//! an uploaded file to the provider that fetches it.

use crate::state::AppState;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use guyub_services::ServiceError;

/// What an upload form carried.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub filename: Option<String>,
    pub caption: Option<String>,
    pub channel_id: Option<i64>,
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field: "file",
        message: message.into(),
    }
}

async fn text_of(field: Field<'_>) -> Result<String, ServiceError> {
    let name = field.name().unwrap_or("").to_string();
    let t = field
        .text()
        .await
        .map_err(|e| invalid(format!("unreadable form field {name}: {e}")))?;
    if t.len() > 4096 {
        return Err(invalid(format!("form field {name} is too long")));
    }
    Ok(t)
}

/// Reads the form; the file may be at most `limit` bytes.
pub async fn read(mut mp: Multipart, limit: usize) -> Result<UploadForm, ServiceError> {
    let mut form = UploadForm::default();
    let mut has_file = false;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| invalid(format!("unreadable form: {e}")))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                form.filename = field.file_name().map(str::to_string);
                form.content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| invalid(format!("unreadable file: {e}")))?
                {
                    if form.bytes.len() + chunk.len() > limit {
                        return Err(invalid(format!(
                            "the file is larger than the limit of {limit} bytes"
                        )));
                    }
                    form.bytes.extend_from_slice(&chunk);
                }
                has_file = true;
            }
            "caption" | "text" => form.caption = Some(text_of(field).await?),
            "channel_id" => {
                let t = text_of(field).await?;
                if !t.trim().is_empty() {
                    form.channel_id =
                        Some(t.trim().parse().map_err(|_| ServiceError::Invalid {
                            field: "channel_id",
                            message: "must be a channel id".into(),
                        })?);
                }
            }
            _ => {
                text_of(field).await?;
            }
        }
    }
    if !has_file || form.bytes.is_empty() {
        return Err(invalid("choose a file to send"));
    }
    Ok(form)
}

/// `GET /files/{*key}`: an uploaded file, for whoever holds the link (the provider
/// fetching it). Only keys under `out/` with a known extension are served.
pub async fn public_file(State(st): State<AppState>, Path(key): Path<String>) -> Response {
    let found = match st.pipeline.media.as_ref() {
        Some(store) => guyub_services::media::public_file(store, &key).await,
        None => None,
    };
    match found {
        Some((bytes, ty)) => (
            [
                (header::CONTENT_TYPE, ty),
                (header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The CSRF token of a multipart form (the upload form carries it as a field).
pub async fn multipart_field(body: bytes::Bytes, boundary: &str, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}
