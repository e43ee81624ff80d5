//! Who is calling: API tokens (`Authorization: Bearer`) for the JSON API, session
//! cookies for the web UI, and the CSRF guard in front of every form.

use crate::error::{ApiError, PageError};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_services::Actor;
use guyub_services::auth as svc;
use guyub_services::secret::same;
use guyub_store::sessions::Session;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "guyub_session";
pub const LOGIN_CSRF_COOKIE: &str = "guyub_csrf";
pub const LANG_COOKIE: &str = "guyub_lang";

/// The value of one cookie from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the attributes every Guyub cookie carries.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    secure: bool,
    same_site: &str,
) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The client's address, as seen on the socket.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddr(addr))
    }
}

/// The language for a visitor who is not logged in: `?lang=`, then the cookie,
/// then `Accept-Language`, then Bahasa Indonesia.
pub fn visitor_lang(parts_headers: &HeaderMap, query_lang: Option<&str>) -> Lang {
    if let Some(l) = query_lang {
        return Lang::from_code(l);
    }
    if let Some(l) = cookie(parts_headers, LANG_COOKIE) {
        return Lang::from_code(l);
    }
    let accept = parts_headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// The caller of a JSON API route, from its bearer token.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let source = ClientAddr::from_request_parts(parts, state)
            .await
            .map(|c| c.0)
            .unwrap_or_default();
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthorized("send an API token as Authorization: Bearer <token>")
            })?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must use the Bearer scheme")
        })?;
        match svc::token_actor(&state.db, token, &source).await? {
            Some(actor) => Ok(ApiActor(actor)),
            None => Err(ApiError::unauthorized("the token is unknown or revoked")),
        }
    }
}

/// A logged-in person on a UI page.
#[derive(Clone)]
pub struct PageSession {
    pub session: Session,
    pub actor: Actor,
    pub cookie: String,
}

impl PageSession {
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.session.user.locale)
    }
    pub fn tr(&self) -> Tr {
        Tr(self.lang())
    }
    pub fn fail(&self, e: guyub_services::ServiceError) -> PageError {
        PageError::from_service(e, self.lang())
    }
}

/// Not logged in on a page: go to the login page (saying so if the session ended).
pub enum PageReject {
    Login { expired: bool },
    Error(PageError),
}

impl IntoResponse for PageReject {
    fn into_response(self) -> Response {
        match self {
            PageReject::Login { expired: true } => Redirect::to("/login?expired=1").into_response(),
            PageReject::Login { expired: false } => Redirect::to("/login").into_response(),
            PageReject::Error(e) => e.into_response(),
        }
    }
}

async fn load_session(
    state: &AppState,
    headers: &HeaderMap,
    source: &str,
) -> Result<Option<PageSession>, PageError> {
    let Some(cookie_value) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let found = svc::session(&state.db, cookie_value, state.config.session_ttl)
        .await
        .map_err(|e| PageError::from_service(e, Lang::Id))?;
    Ok(found.map(|session| PageSession {
        actor: svc::session_actor(&session.user, source),
        session,
        cookie: cookie_value.to_string(),
    }))
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = PageReject;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageReject> {
        if let Some(s) = parts.extensions.get::<PageSession>() {
            return Ok(s.clone());
        }
        let source = ClientAddr::from_request_parts(parts, state)
            .await
            .map(|c| c.0)
            .unwrap_or_default();
        match load_session(state, &parts.headers, &source)
            .await
            .map_err(PageReject::Error)?
        {
            Some(s) => Ok(s),
            None => Err(PageReject::Login {
                expired: cookie(&parts.headers, SESSION_COOKIE).is_some(),
            }),
        }
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Refuses any state-changing UI request whose form does not carry the right CSRF
/// token: the session's token for logged-in pages, the double-submit cookie for the
/// login and setup forms. Runs before the handler, so no form can forget it.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let lang = visitor_lang(&parts.headers, None);
    let boundary = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let limit = if boundary.is_some() {
        crate::upload_body_limit(&state.config)
    } else {
        state.config.max_body_bytes
    };
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return PageError::new(StatusCode::PAYLOAD_TOO_LARGE, lang, "error.too_large")
                .into_response();
        }
    };
    let sent = match &boundary {
        Some(b) => crate::upload::multipart_field(bytes.clone(), b, "_csrf").await,
        None => form_field(&bytes, "_csrf"),
    }
    .unwrap_or_default();
    let path = parts.uri.path();
    let ok = if path == "/login" || path == "/setup" {
        cookie(&parts.headers, LOGIN_CSRF_COOKIE)
            .is_some_and(|c| !sent.is_empty() && same(c, &sent))
    } else {
        let source = ClientAddr::from_request_parts(&mut parts, &state)
            .await
            .map(|c| c.0)
            .unwrap_or_default();
        match load_session(&state, &parts.headers, &source).await {
            Ok(Some(s)) => {
                let ok = !sent.is_empty() && same(&s.session.csrf_token, &sent);
                parts.extensions.insert(s);
                ok
            }
            Ok(None) => return PageReject::Login { expired: true }.into_response(),
            Err(e) => return e.into_response(),
        }
    };
    if !ok {
        metrics::counter!("csrf_rejections_total").increment(1);
        return PageError::new(StatusCode::FORBIDDEN, lang, "error.csrf").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

impl axum::extract::OptionalFromRequestParts<AppState> for PageSession {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <PageSession as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}
