//! The JSON API under `/api/v1`. Every route is declared through utoipa-axum, so it
//! cannot exist without appearing in the OpenAPI document at `/api/openapi.json`.

pub(crate) mod channels;
pub(crate) mod inbox;
mod loans;
mod members;
mod savings;
mod search;
mod staff;
// Ledger, reports and SHU (issue 6).
pub(crate) mod ledger;
mod reports;
mod shu;
// SLA and canned replies (issue 5, the inbox).
mod canned;
mod sla;

use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::FromRequest;
use axum::http::StatusCode;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Guyub API", description = "Omnichannel platform for Indonesian cooperatives. Authenticate with `Authorization: Bearer <API token>`; errors are RFC 9457 problem documents."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(Problem)),
    tags(
        (name = "savings", description = "Simpanan: settings, balances and statements (buku tabungan), deposits, withdrawals, transfers and payouts with their receipts, wajib arrears, and the monthly wajib billing and jasa simpanan runs."),
        (name = "inbox", description = "The unified inbox: conversations across every channel with filters and unread counts, the member's whole history, assignment and transfer, snooze, resolve and reopen, priority, labels, private notes, splitting a wrongly grouped message out, agents' presence, capacity and skills, teams, routing rules and inbox settings; SLA settings and holidays (targets counted in business hours); canned replies with their templates; full-text search over messages and contacts in Indonesian (stemmed, numbers in every spelling)."),
        (name = "loans", description = "Pinjaman: products, applications approved by a second person, disbursement, schedules, repayments, payoff, collectibility and the loan portfolio."),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and the OpenAPI document that describes them.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            staff::router()
                .merge(members::router())
                .merge(channels::router())
                .merge(savings::router())
                .merge(ledger::router())
                .merge(reports::router())
                .merge(shu::router())
                .merge(loans::router())
                .merge(inbox::router())
                .merge(sla::router())
                .merge(canned::router())
                .merge(search::router()),
        )
        .split_for_parts()
}

/// `axum::Json` whose rejections are problem documents.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                let status = rejection.status();
                let status = if status == StatusCode::BAD_REQUEST
                    || status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::UNSUPPORTED_MEDIA_TYPE
                    || status == StatusCode::PAYLOAD_TOO_LARGE
                {
                    status
                } else {
                    StatusCode::BAD_REQUEST
                };
                Err(ApiError::new(status, Some(rejection.body_text())))
            }
        }
    }
}
