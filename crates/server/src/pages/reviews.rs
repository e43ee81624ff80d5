//! The review queue: identities whose phone or e-mail points at several members (or at
//! another member than their contact's), for a person to link or dismiss.

use super::contacts::{IdentityRow, MemberRef, identity_row, split};
use super::{Flash, Shell, local_time, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{MemberId, ReviewId};
use guyub_services::identity;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

struct ReviewRow {
    id: i64,
    reason: String,
    when: String,
    identity: IdentityRow,
    contact_id: i64,
    contact_name: String,
    candidates: Vec<MemberRef>,
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    t: Tr,
    shell: Shell,
    reviews: Vec<ReviewRow>,
    error: Option<String>,
}

async fn reviews_page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let list = identity::reviews(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(state, s, "reviews", flash).await?;
    let t = s.tr();
    let reviews = list
        .into_iter()
        .map(|r| ReviewRow {
            id: r.review.id.0,
            reason: t
                .or(
                    &format!("reviews.reason.{}", r.review.reason),
                    &r.review.reason,
                )
                .to_string(),
            when: local_time(r.review.created_at, &shell.tz),
            identity: identity_row(r.identity, &shell.tz),
            contact_id: r.contact.id.0,
            contact_name: r.contact.display_name,
            candidates: r
                .candidates
                .into_iter()
                .map(|m| MemberRef {
                    id: m.id.0,
                    member_no: m.member_no,
                    name: m.fields.name,
                })
                .collect(),
        })
        .collect();
    let (status, error) = split(error);
    let view = ReviewsPage {
        t,
        shell,
        reviews,
        error,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(f): Query<Flash>,
) -> PageResult {
    reviews_page(&state, &s, f.ok.as_deref(), None).await
}

#[derive(Deserialize, Default)]
pub struct SettleForm {
    /// The candidate to link; absent to dismiss.
    member_id: Option<i64>,
}

pub async fn settle(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<SettleForm>,
) -> PageResult {
    let ok = if f.member_id.is_some() {
        "reviews.linked"
    } else {
        "reviews.dismissed"
    };
    match identity::resolve_review(&state.db, &s.actor, ReviewId(id), f.member_id.map(MemberId))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/members/reviews?ok={ok}")).into_response()),
        Err(e) => reviews_page(&state, &s, None, Some(refusal(&s, e)?)).await,
    }
}
