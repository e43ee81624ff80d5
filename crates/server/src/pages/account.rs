//! One's own account: interface language and password.

use super::Shell;
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_services::{ServiceError, auth};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    shell: Shell,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let shell = Shell::load(state, s, "account", flash).await?;
    Ok((
        status,
        html(
            &AccountPage {
                t: s.tr(),
                shell,
                error,
            },
            s.lang(),
        )?,
    )
        .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Query(f): Query<super::Flash>,
) -> Result<Response, PageError> {
    page(&state, &s, f.ok.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct LanguageForm {
    locale: String,
}

pub async fn language(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<LanguageForm>,
) -> Result<Response, PageError> {
    let user = &s.session.user;
    match auth::set_locale(&state.db, user.cooperative_id, user.id, &f.locale).await {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(e @ ServiceError::Invalid { .. }) => {
            page(
                &state,
                &s,
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(s.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn password(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    match auth::change_password(
        &state.db,
        &s.actor,
        Some(&s.cookie),
        &f.current_password,
        &f.new_password,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account?ok=account.password_changed").into_response()),
        Err(e @ ServiceError::Invalid { .. }) => {
            page(
                &state,
                &s,
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(s.fail(e)),
    }
}
