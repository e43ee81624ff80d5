//! Logging in and out, and the one-time setup link.

use crate::auth::{
    ClientAddr, LANG_COOKIE, LOGIN_CSRF_COOKIE, PageSession, SESSION_COOKIE, set_cookie,
    visitor_lang,
};
use crate::error::{PageError, html};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use guyub_services::secret::random_token;
use guyub_services::{ServiceError, auth, setup};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    cooperative: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    lang: Option<String>,
    expired: Option<String>,
    cooperative: Option<String>,
}

fn login_page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    cooperative: String,
    email: String,
    error: Option<String>,
    set_lang: bool,
) -> Response {
    let csrf = random_token();
    let page = LoginPage {
        t: Tr(lang),
        csrf: csrf.clone(),
        cooperative,
        email,
        error,
    };
    let secure = state.config.secure_cookies;
    match html(&page, lang) {
        Ok(body) => {
            let mut cookies = vec![(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure, "Strict"),
            )];
            if set_lang {
                cookies.push((
                    header::SET_COOKIE,
                    set_cookie(LANG_COOKIE, lang.code(), 31_536_000, secure, "Lax"),
                ));
            }
            (status, AppendHeaders(cookies), body).into_response()
        }
        Err(e) => e.into_response(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<PageSession>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    let lang = visitor_lang(&headers, q.lang.as_deref());
    let cooperative = match q.cooperative {
        Some(c) => c,
        None => only_cooperative(&state).await.unwrap_or_default(),
    };
    let error = q.expired.map(|_| Tr(lang).s("login.expired").to_string());
    login_page(
        &state,
        lang,
        StatusCode::OK,
        cooperative,
        String::new(),
        error,
        q.lang.is_some(),
    )
}

/// With a single cooperative in the deployment, the login form fills it in.
async fn only_cooperative(state: &AppState) -> Option<String> {
    guyub_services::setup::only_cooperative(&state.db)
        .await
        .ok()?
}

#[derive(Deserialize)]
pub struct LoginForm {
    cooperative: String,
    email: String,
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = visitor_lang(&headers, None);
    let t = Tr(lang);
    let result = auth::login(
        &state.db,
        state.config.throttle,
        state.config.session_ttl,
        &f.cooperative,
        &f.email,
        &f.password,
        &addr,
    )
    .await;
    match result {
        Ok(done) => {
            let max_age = state.config.session_ttl.as_secs() as i64;
            let cookie = set_cookie(
                SESSION_COOKIE,
                &done.session_token,
                max_age,
                state.config.secure_cookies,
                "Lax",
            );
            let clear = set_cookie(
                LOGIN_CSRF_COOKIE,
                "",
                0,
                state.config.secure_cookies,
                "Strict",
            );
            (
                AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, clear)]),
                Redirect::to("/"),
            )
                .into_response()
        }
        Err(ServiceError::BadCredentials) => login_page(
            &state,
            lang,
            StatusCode::UNAUTHORIZED,
            f.cooperative,
            f.email,
            Some(t.s("login.bad").into()),
            false,
        ),
        Err(ServiceError::TooManyAttempts { .. }) => login_page(
            &state,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            f.cooperative,
            f.email,
            Some(t.s("login.throttled").into()),
            false,
        ),
        Err(e) => PageError::from_service(e, lang).into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, s: PageSession) -> Response {
    if let Err(e) = auth::logout(&state.db, &s.cookie, &s.actor).await {
        return s.fail(e).into_response();
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies, "Lax");
    (
        AppendHeaders([(header::SET_COOKIE, clear)]),
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    t: Tr,
    csrf: String,
    valid: bool,
    token: String,
    cooperative_name: String,
    slug: String,
    owner_name: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupQuery {
    token: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: String,
    cooperative_name: String,
    slug: String,
    owner_name: String,
    email: String,
    password: String,
}

fn setup_page(state: &AppState, lang: Lang, status: StatusCode, mut page: SetupPage) -> Response {
    page.csrf = random_token();
    let body = match html(&page, lang) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let cookie = set_cookie(
        LOGIN_CSRF_COOKIE,
        &page.csrf,
        3600,
        state.config.secure_cookies,
        "Strict",
    );
    (status, AppendHeaders([(header::SET_COOKIE, cookie)]), body).into_response()
}

pub async fn setup_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SetupQuery>,
) -> Response {
    let lang = visitor_lang(&headers, q.lang.as_deref());
    let token = q.token.unwrap_or_default();
    let valid = !token.is_empty()
        && setup::link_is_valid(&state.db, &token)
            .await
            .unwrap_or(false);
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let page = SetupPage {
        t: Tr(lang),
        csrf: String::new(),
        valid,
        token,
        cooperative_name: String::new(),
        slug: String::new(),
        owner_name: String::new(),
        email: String::new(),
        error: None,
    };
    setup_page(&state, lang, status, page)
}

pub async fn setup_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<SetupForm>,
) -> Response {
    let lang = visitor_lang(&headers, None);
    let result = setup::complete(
        &state.db,
        setup::Setup {
            token: &f.token,
            cooperative_name: &f.cooperative_name,
            slug: &f.slug,
            owner_email: &f.email,
            owner_name: &f.owner_name,
            password: &f.password,
        },
        &addr,
    )
    .await;
    match result {
        Ok((coop, _)) => Redirect::to(&format!("/login?cooperative={}", coop.slug)).into_response(),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let page = SetupPage {
                t: Tr(lang),
                csrf: String::new(),
                valid: true,
                token: f.token,
                cooperative_name: f.cooperative_name,
                slug: f.slug,
                owner_name: f.owner_name,
                email: f.email,
                error: Some(e.to_string()),
            };
            setup_page(&state, lang, StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => PageError::from_service(e, lang).into_response(),
    }
}
