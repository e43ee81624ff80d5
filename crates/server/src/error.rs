//! Errors as clients see them: RFC 9457 problem JSON on the API, a readable page in
//! the UI. The cause is logged here; internals never reach the client.

use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use guyub_services::ServiceError;
use serde::Serialize;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again (429).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Every rejected item, when a request carries many (an import's bad rows:
    /// `{"line", "field", "message"}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<serde_json::Value>,
}

#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub Box<Problem>);

fn slug(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "invalid-input",
        429 => "too-many-requests",
        503 => "unavailable",
        _ => "internal-error",
    }
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<Option<String>>) -> ApiError {
        ApiError(
            status,
            Box::new(Problem {
                kind: format!("https://guyub.id/problems/{}", slug(status)),
                title: status.canonical_reason().unwrap_or("Error").to_string(),
                status: status.as_u16(),
                detail: detail.into(),
                field: None,
                retry_after: None,
                errors: None,
            }),
        )
    }
    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Some("no such resource in this cooperative".to_string()),
        )
    }
    pub fn unauthorized(detail: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, Some(detail.to_string()))
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::NotFound => ApiError::not_found(),
            ServiceError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                Some("your role does not allow this".to_string()),
            ),
            ServiceError::Invalid { field, message } => {
                let mut err = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(format!("{field}: {message}")),
                );
                err.1.field = Some(field.to_string());
                err
            }
            ServiceError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, Some(m)),
            ServiceError::BadCredentials => ApiError::unauthorized("wrong e-mail or password"),
            ServiceError::TooManyAttempts { retry_after_secs } => {
                let mut err = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    Some("too many failed attempts".to_string()),
                );
                err.1.retry_after = Some(retry_after_secs);
                err
            }
            other => {
                tracing::error!(error = %other, "request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.0, axum::Json(&*self.1)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.0 == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.1.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    message: &'a str,
}

/// An error shown as a page.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub lang: Lang,
    /// A translation key, or a message already in the reader's language.
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, lang: Lang, key: &str) -> PageError {
        PageError {
            status,
            lang,
            message: Tr(lang).s(key).to_string(),
        }
    }
    pub fn from_service(e: ServiceError, lang: Lang) -> PageError {
        match e {
            ServiceError::NotFound => {
                PageError::new(StatusCode::NOT_FOUND, lang, "error.not_found")
            }
            ServiceError::Forbidden => {
                PageError::new(StatusCode::FORBIDDEN, lang, "error.forbidden")
            }
            ServiceError::Invalid { .. } | ServiceError::Conflict(_) => PageError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                lang,
                message: e.to_string(),
            },
            other => {
                tracing::error!(error = %other, "page failed");
                PageError::new(StatusCode::INTERNAL_SERVER_ERROR, lang, "error.internal")
            }
        }
    }
}

pub fn render_page(status: StatusCode, lang: Lang, message: &str) -> Response {
    let page = ErrorPage {
        t: Tr(lang),
        status: status.as_u16(),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_string()).into_response(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        render_page(self.status, self.lang, &self.message)
    }
}

/// Renders an askama template, turning a template failure into a 500 page.
pub fn html<T: Template>(t: &T, lang: Lang) -> Result<Html<String>, PageError> {
    t.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        PageError::new(StatusCode::INTERNAL_SERVER_ERROR, lang, "error.internal")
    })
}
