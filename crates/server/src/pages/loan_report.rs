//! The loan portfolio report: outstanding principal by collectibility class with
//! counts, arrears and denda, on a chosen day, and the loans behind it.

use super::Shell;
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use guyub_domain::Date;
use guyub_services::loans::{self, Portfolio};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    as_of: String,
}

#[derive(Template)]
#[template(path = "loan_portfolio.html")]
struct PortfolioPage {
    t: Tr,
    shell: Shell,
    p: Portfolio,
    error: Option<String>,
}

pub async fn portfolio(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let shell = Shell::load(&state, &s, "loans", None).await?;
    let (as_of, error) = match q.as_of.trim() {
        "" => (None, None),
        raw => match Date::parse(raw) {
            Ok(d) => (Some(d), None),
            Err(_) => (None, Some("as_of: a date, YYYY-MM-DD".to_string())),
        },
    };
    let p = loans::portfolio(&state.db, &s.actor, as_of)
        .await
        .map_err(|e| s.fail(e))?;
    let view = PortfolioPage {
        t: s.tr(),
        shell,
        p,
        error,
    };
    let code = if view.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((code, html(&view, s.lang())?).into_response())
}
