//! `/api/v1/sla/…`: a cooperative's SLA settings (opening hours per weekday, time
//! zone, targets per priority) and its holidays.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guyub_domain::HolidayId;
use guyub_domain::sla::Priority;
use guyub_services::sla::{self, SettingsInput, SlaSettings};
use guyub_store::sla::Holiday;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_holidays, add_holiday))
        .routes(routes!(remove_holiday))
}

/// Opening hours per weekday: `"08:00-16:00"`, or `null` (or `""`) when closed.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct WeekHours {
    #[serde(default)]
    mon: Option<String>,
    #[serde(default)]
    tue: Option<String>,
    #[serde(default)]
    wed: Option<String>,
    #[serde(default)]
    thu: Option<String>,
    #[serde(default)]
    fri: Option<String>,
    #[serde(default)]
    sat: Option<String>,
    #[serde(default)]
    sun: Option<String>,
}

impl WeekHours {
    fn days(&self) -> [Option<&str>; 7] {
        [
            self.mon.as_deref(),
            self.tue.as_deref(),
            self.wed.as_deref(),
            self.thu.as_deref(),
            self.fri.as_deref(),
            self.sat.as_deref(),
            self.sun.as_deref(),
        ]
    }
}

/// Targets of one priority, in business minutes (1 to 100000).
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy)]
pub struct TargetMinutes {
    first_response_minutes: i64,
    resolution_minutes: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TargetsByPriority {
    low: TargetMinutes,
    normal: TargetMinutes,
    high: TargetMinutes,
    urgent: TargetMinutes,
}

impl TargetsByPriority {
    /// In the order of `Priority::ALL`.
    fn all(&self) -> [TargetMinutes; 4] {
        [self.low, self.normal, self.high, self.urgent]
    }
}

#[derive(Serialize, ToSchema)]
pub struct SlaSettingsOut {
    /// IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT) …
    time_zone: String,
    hours: WeekHours,
    targets: TargetsByPriority,
    /// `false`: nothing saved yet, these are the defaults.
    saved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_by: Option<String>,
}

impl From<SlaSettings> for SlaSettingsOut {
    fn from(s: SlaSettings) -> Self {
        let day = |i: usize| s.week.day(i).map(|h| h.to_string());
        let t = |p: Priority| {
            let t = s.targets.get(p);
            TargetMinutes {
                first_response_minutes: t.first_response,
                resolution_minutes: t.resolution,
            }
        };
        SlaSettingsOut {
            time_zone: s.zone.name().to_string(),
            hours: WeekHours {
                mon: day(0),
                tue: day(1),
                wed: day(2),
                thu: day(3),
                fri: day(4),
                sat: day(5),
                sun: day(6),
            },
            targets: TargetsByPriority {
                low: t(Priority::Low),
                normal: t(Priority::Normal),
                high: t(Priority::High),
                urgent: t(Priority::Urgent),
            },
            saved: s.saved,
            updated_at_ms: s.updated_at,
            updated_by: s.updated_by,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SlaSettingsIn {
    time_zone: String,
    hours: WeekHours,
    targets: TargetsByPriority,
}

/// The SLA settings (the defaults until some are saved: Monday–Friday 08:00–16:00,
/// Saturday 08:00–12:00, the cooperative's zone; see docs/INBOX.md).
#[utoipa::path(get, path = "/sla/settings", tag = "inbox", responses((status = 200, body = SlaSettingsOut), (status = 403, body = crate::error::Problem)))]
async fn get_settings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<SlaSettingsOut> {
    Ok(Json(sla::settings(&st.db, &a).await?.into()))
}

/// Replaces the SLA settings. A bad value is refused with the field it is in
/// (`time_zone`, `hours.wed`, `targets.urgent.first_response_minutes` …). Conversations
/// stamped before keep their dues.
#[utoipa::path(put, path = "/sla/settings", tag = "inbox", request_body = SlaSettingsIn, responses((status = 200, body = SlaSettingsOut), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn put_settings(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<SlaSettingsIn>,
) -> ApiResult<SlaSettingsOut> {
    let days = body.hours.days();
    let targets = body.targets.all();
    let input = SettingsInput {
        time_zone: &body.time_zone,
        hours: days.map(|d| d.unwrap_or("")),
        first_response: targets.map(|t| t.first_response_minutes),
        resolution: targets.map(|t| t.resolution_minutes),
    };
    Ok(Json(sla::update_settings(&st.db, &a, &input).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct HolidayOut {
    id: i64,
    /// `YYYY-MM-DD`, a local date in the SLA zone.
    day: String,
    name: String,
    created_by: String,
    created_at_ms: i64,
}

impl From<Holiday> for HolidayOut {
    fn from(h: Holiday) -> Self {
        HolidayOut {
            id: h.id.0,
            day: h.day,
            name: h.name,
            created_by: h.created_by,
            created_at_ms: h.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct HolidayIn {
    /// `YYYY-MM-DD` (or `DD-MM-YYYY`).
    day: String,
    name: String,
}

/// Every holiday, by date.
#[utoipa::path(get, path = "/sla/holidays", tag = "inbox", responses((status = 200, body = Vec<HolidayOut>), (status = 403, body = crate::error::Problem)))]
async fn list_holidays(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<HolidayOut>> {
    Ok(Json(
        sla::holidays(&st.db, &a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Adds a holiday: no business time is counted on that date. One a date.
#[utoipa::path(post, path = "/sla/holidays", tag = "inbox", request_body = HolidayIn, responses((status = 201, body = HolidayOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_holiday(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<HolidayIn>,
) -> Result<(StatusCode, Json<HolidayOut>), ApiError> {
    let h = sla::add_holiday(&st.db, &a, &body.day, &body.name).await?;
    Ok((StatusCode::CREATED, Json(h.into())))
}

/// Removes a holiday; answers with what it was.
#[utoipa::path(delete, path = "/sla/holidays/{id}", tag = "inbox", params(("id" = i64, Path)), responses((status = 200, body = HolidayOut), (status = 404, body = crate::error::Problem)))]
async fn remove_holiday(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<HolidayOut> {
    Ok(Json(
        sla::remove_holiday(&st.db, &a, HolidayId(id)).await?.into(),
    ))
}
