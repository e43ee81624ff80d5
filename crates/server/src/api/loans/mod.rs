//! `/api/v1/loans/…` and `/api/v1/reports/loan-portfolio`: loan products, the
//! collectibility thresholds, applications and their decision, disbursement, the
//! schedule and standing, repayments, the payoff quote and payoff, receipts, and the
//! portfolio by collectibility.

mod types;

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use guyub_domain::money::Rupiah;
use guyub_domain::{Date, LoanId, LoanProductId, LoanRepaymentId, MemberId};
use guyub_services::loans::{self, Application, DisburseInput, PayoffInput, RepaymentInput};
use serde::Deserialize;
use types::*;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(get_settings, set_settings))
        .routes(routes!(preview))
        .routes(routes!(list_loans, apply))
        .routes(routes!(get_loan))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(disburse))
        .routes(routes!(schedule))
        .routes(routes!(list_repayments, repay))
        .routes(routes!(payoff_quote))
        .routes(routes!(payoff))
        .routes(routes!(get_repayment))
        .routes(routes!(portfolio))
}

/// A date field, or a 422 naming it.
fn date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Date::parse(s).map(Some).map_err(|_| {
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(format!("{field}: a date, YYYY-MM-DD")),
            );
            e.1.field = Some(field.to_string());
            e
        }),
    }
}

/// Loan products, active ones first.
#[utoipa::path(get, path = "/loans/products", tag = "loans", responses((status = 200, body = Vec<ProductOut>)))]
async fn list_products(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<ProductOut>> {
    let list = loans::products(&st.db, &a).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Creates a loan product (owner, manager).
#[utoipa::path(post, path = "/loans/products", tag = "loans", request_body = ProductIn, responses((status = 201, body = ProductOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_product(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<ProductIn>,
) -> Created<ProductOut> {
    let p = loans::create_product(&st.db, &a, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(get, path = "/loans/products/{id}", tag = "loans", params(("id" = i64, Path)), responses((status = 200, body = ProductOut), (status = 404, body = crate::error::Problem)))]
async fn get_product(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<ProductOut> {
    Ok(Json(
        loans::product(&st.db, &a, LoanProductId(id)).await?.into(),
    ))
}

/// Replaces a product (loans already applied for keep their terms).
#[utoipa::path(put, path = "/loans/products/{id}", tag = "loans", params(("id" = i64, Path)), request_body = ProductIn, responses((status = 200, body = ProductOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_product(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ProductIn>,
) -> ApiResult<ProductOut> {
    let p = loans::update_product(&st.db, &a, LoanProductId(id), &body.into()).await?;
    Ok(Json(p.into()))
}

/// The collectibility thresholds in days (defaults 90, 120, 180).
#[utoipa::path(get, path = "/loans/settings", tag = "loans", responses((status = 200, body = ThresholdsOut)))]
async fn get_settings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<ThresholdsOut> {
    Ok(Json(loans::thresholds(&st.db, &a).await?.into()))
}

/// Sets the collectibility thresholds (owner, manager); they must increase.
#[utoipa::path(put, path = "/loans/settings", tag = "loans", request_body = ThresholdsOut, responses((status = 200, body = ThresholdsOut), (status = 422, body = crate::error::Problem)))]
async fn set_settings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ThresholdsOut>,
) -> ApiResult<ThresholdsOut> {
    let t = loans::set_thresholds(
        &st.db,
        &a,
        b.kurang_lancar_after,
        b.diragukan_after,
        b.macet_after,
    )
    .await?;
    Ok(Json(t.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct PreviewIn {
    product_id: i64,
    principal: i64,
    tenor_months: i64,
    /// A month from today unless given.
    first_due: Option<String>,
}

/// The schedule, fees and payout a product would give, without saving anything.
#[utoipa::path(post, path = "/loans/preview", tag = "loans", request_body = PreviewIn, responses((status = 200, body = PreviewOut), (status = 422, body = crate::error::Problem)))]
async fn preview(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<PreviewIn>,
) -> ApiResult<PreviewOut> {
    let first = date("first_due", b.first_due.as_deref())?;
    let p = loans::preview(
        &st.db,
        &a,
        LoanProductId(b.product_id),
        Rupiah::new(b.principal),
        b.tenor_months,
        first,
    )
    .await?;
    Ok(Json(p.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct LoanQuery {
    /// `applied`, `approved`, `rejected`, `disbursed` or `settled`.
    status: Option<String>,
    /// `lancar`, `kurang_lancar`, `diragukan` or `macet` (running loans, today).
    collectibility: Option<String>,
    member_id: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Loans, newest first.
#[utoipa::path(get, path = "/loans", tag = "loans", params(LoanQuery), responses((status = 200, body = Vec<LoanOut>), (status = 422, body = crate::error::Problem)))]
async fn list_loans(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<LoanQuery>,
) -> ApiResult<Vec<LoanOut>> {
    let list = loans::list(
        &st.db,
        &a,
        &loans::ListFilter {
            status: q.status,
            collectibility: q.collectibility,
            member: q.member_id.map(MemberId),
            limit: q.limit.unwrap_or(100),
            offset: q.offset.unwrap_or(0),
        },
    )
    .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ApplicationIn {
    /// An anggota of the cooperative.
    member_id: i64,
    product_id: i64,
    principal: i64,
    tenor_months: i64,
    #[serde(default)]
    purpose: String,
}

/// Enters an application (staff who manage members, tellers). Only members (anggota)
/// may borrow. Someone else must approve it.
#[utoipa::path(post, path = "/loans", tag = "loans", request_body = ApplicationIn, responses((status = 201, body = LoanOut), (status = 422, body = crate::error::Problem)))]
async fn apply(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ApplicationIn>,
) -> Created<LoanOut> {
    let l = loans::apply(
        &st.db,
        &a,
        &Application {
            member_id: MemberId(b.member_id),
            product_id: LoanProductId(b.product_id),
            principal: Rupiah::new(b.principal),
            tenor_months: b.tenor_months,
            purpose: b.purpose,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(l.into())))
}

#[derive(Deserialize, IntoParams)]
pub struct AsOf {
    /// `YYYY-MM-DD`; today if left out.
    as_of: Option<String>,
}

/// A loan with its schedule, standing (arrears, denda, collectibility) and payoff
/// quote as of a day, and its repayments.
#[utoipa::path(get, path = "/loans/{id}", tag = "loans", params(("id" = i64, Path), AsOf), responses((status = 200, body = LoanDetailOut), (status = 404, body = crate::error::Problem)))]
async fn get_loan(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult<LoanDetailOut> {
    let as_of = date("as_of", q.as_of.as_deref())?;
    Ok(Json(
        loans::detail(&st.db, &a, LoanId(id), as_of).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// Required to reject.
    #[serde(default)]
    note: String,
}

/// Approves an application (owner, manager), never one's own (409).
#[utoipa::path(post, path = "/loans/{id}/approve", tag = "loans", params(("id" = i64, Path)), request_body = DecisionIn, responses((status = 200, body = LoanOut), (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecisionIn>,
) -> ApiResult<LoanOut> {
    Ok(Json(
        loans::approve(&st.db, &a, LoanId(id), &b.note)
            .await?
            .into(),
    ))
}

/// Rejects an application with a reason, never one's own (409).
#[utoipa::path(post, path = "/loans/{id}/reject", tag = "loans", params(("id" = i64, Path)), request_body = DecisionIn, responses((status = 200, body = LoanOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reject(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecisionIn>,
) -> ApiResult<LoanOut> {
    Ok(Json(
        loans::reject(&st.db, &a, LoanId(id), &b.note).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DisburseIn {
    /// `cash` or `sukarela`.
    channel: String,
    /// `YYYY-MM-DD`, today if left out.
    date: Option<String>,
    /// A month after the disbursement if left out.
    first_due: Option<String>,
}

/// Pays out an approved loan (owner, admin, teller): journal entry, schedule.
#[utoipa::path(post, path = "/loans/{id}/disburse", tag = "loans", params(("id" = i64, Path)), request_body = DisburseIn, responses((status = 200, body = LoanOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn disburse(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DisburseIn>,
) -> ApiResult<LoanOut> {
    let input = DisburseInput {
        channel: b.channel,
        date: date("date", b.date.as_deref())?,
        first_due: date("first_due", b.first_due.as_deref())?,
    };
    Ok(Json(
        loans::disburse(&st.db, &a, LoanId(id), &input)
            .await?
            .into(),
    ))
}

/// The schedule with what was paid, as of a day.
#[utoipa::path(get, path = "/loans/{id}/schedule", tag = "loans", params(("id" = i64, Path), AsOf), responses((status = 200, body = Vec<InstallmentOut>), (status = 404, body = crate::error::Problem)))]
async fn schedule(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult<Vec<InstallmentOut>> {
    let as_of = date("as_of", q.as_of.as_deref())?;
    let d = loans::detail(&st.db, &a, LoanId(id), as_of).await?;
    Ok(Json(d.schedule.into_iter().map(Into::into).collect()))
}

/// A loan's repayments, oldest first.
#[utoipa::path(get, path = "/loans/{id}/repayments", tag = "loans", params(("id" = i64, Path)), responses((status = 200, body = Vec<RepaymentOut>), (status = 404, body = crate::error::Problem)))]
async fn list_repayments(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Vec<RepaymentOut>> {
    let list = loans::repayments(&st.db, &a, LoanId(id)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct RepaymentIn {
    /// Whole rupiah, more than zero, not more than everything owed.
    amount: i64,
    /// `YYYY-MM-DD`, today if left out; not before the loan's last payment.
    paid_on: Option<String>,
}

/// Takes a payment (owner, admin, teller): denda, then interest, then principal, oldest
/// instalment first. Over what is owed: 422 naming what is due.
#[utoipa::path(post, path = "/loans/{id}/repayments", tag = "loans", params(("id" = i64, Path)), request_body = RepaymentIn, responses((status = 201, body = RepaymentOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn repay(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RepaymentIn>,
) -> Created<RepaymentOut> {
    let input = RepaymentInput {
        amount: Rupiah::new(b.amount),
        paid_on: date("paid_on", b.paid_on.as_deref())?,
    };
    let r = loans::repay(&st.db, &a, LoanId(id), &input).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// What paying the loan off costs on a day.
#[utoipa::path(get, path = "/loans/{id}/payoff-quote", tag = "loans", params(("id" = i64, Path), AsOf), responses((status = 200, body = PayoffOut), (status = 409, body = crate::error::Problem)))]
async fn payoff_quote(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult<PayoffOut> {
    let as_of = date("as_of", q.as_of.as_deref())?;
    let v = loans::payoff_quote(&st.db, &a, LoanId(id), as_of).await?;
    Ok(Json(PayoffOut::new(v.as_of, &v.quote)))
}

#[derive(Deserialize, ToSchema)]
pub struct PayoffIn {
    /// If given, must equal the quote's total on `paid_on`.
    amount: Option<i64>,
    paid_on: Option<String>,
}

/// Pays the loan off early and settles it.
#[utoipa::path(post, path = "/loans/{id}/payoff", tag = "loans", params(("id" = i64, Path)), request_body = PayoffIn, responses((status = 201, body = RepaymentOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn payoff(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PayoffIn>,
) -> Created<RepaymentOut> {
    let input = PayoffInput {
        amount: b.amount.map(Rupiah::new),
        paid_on: date("paid_on", b.paid_on.as_deref())?,
    };
    let r = loans::payoff(&st.db, &a, LoanId(id), &input).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// One repayment (what its receipt shows).
#[utoipa::path(get, path = "/loans/repayments/{id}", tag = "loans", params(("id" = i64, Path)), responses((status = 200, body = RepaymentOut), (status = 404, body = crate::error::Problem)))]
async fn get_repayment(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<RepaymentOut> {
    Ok(Json(
        loans::receipt(&st.db, &a, LoanRepaymentId(id))
            .await?
            .repayment
            .into(),
    ))
}

/// The loan portfolio on a day: outstanding principal by collectibility class, counts,
/// arrears and denda, and the loans behind it.
#[utoipa::path(get, path = "/reports/loan-portfolio", tag = "loans", params(AsOf), responses((status = 200, body = PortfolioOut), (status = 403, body = crate::error::Problem)))]
async fn portfolio(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<AsOf>,
) -> ApiResult<PortfolioOut> {
    let as_of = date("as_of", q.as_of.as_deref())?;
    Ok(Json(loans::portfolio(&st.db, &a, as_of).await?.into()))
}
