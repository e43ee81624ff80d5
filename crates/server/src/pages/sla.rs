//! `/settings/sla`: opening hours per weekday, the time zone, the targets per
//! priority and the holidays (supervisors, administrators, owners).

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
use guyub_domain::sla::{Priority, WEEKDAYS};
use guyub_domain::{Action, HolidayId};
use guyub_services::sla::{self, SettingsInput, SlaSettings};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// The settings form as typed.
#[derive(Deserialize, Clone, Default)]
#[serde(default)]
pub struct SlaForm {
    time_zone: String,
    hours_mon: String,
    hours_tue: String,
    hours_wed: String,
    hours_thu: String,
    hours_fri: String,
    hours_sat: String,
    hours_sun: String,
    first_response_low: String,
    first_response_normal: String,
    first_response_high: String,
    first_response_urgent: String,
    resolution_low: String,
    resolution_normal: String,
    resolution_high: String,
    resolution_urgent: String,
}

impl SlaForm {
    fn of(s: &SlaSettings) -> SlaForm {
        let h = |i: usize| s.week.day(i).map(|h| h.to_string()).unwrap_or_default();
        let f = |p: Priority| s.targets.get(p).first_response.to_string();
        let r = |p: Priority| s.targets.get(p).resolution.to_string();
        SlaForm {
            time_zone: s.zone.name().to_string(),
            hours_mon: h(0),
            hours_tue: h(1),
            hours_wed: h(2),
            hours_thu: h(3),
            hours_fri: h(4),
            hours_sat: h(5),
            hours_sun: h(6),
            first_response_low: f(Priority::Low),
            first_response_normal: f(Priority::Normal),
            first_response_high: f(Priority::High),
            first_response_urgent: f(Priority::Urgent),
            resolution_low: r(Priority::Low),
            resolution_normal: r(Priority::Normal),
            resolution_high: r(Priority::High),
            resolution_urgent: r(Priority::Urgent),
        }
    }

    fn hours(&self) -> [&str; 7] {
        [
            &self.hours_mon,
            &self.hours_tue,
            &self.hours_wed,
            &self.hours_thu,
            &self.hours_fri,
            &self.hours_sat,
            &self.hours_sun,
        ]
    }

    /// Targets in the order of `Priority::ALL`: (first response, resolution).
    fn targets(&self) -> [(&str, &str); 4] {
        [
            (&self.first_response_low, &self.resolution_low),
            (&self.first_response_normal, &self.resolution_normal),
            (&self.first_response_high, &self.resolution_high),
            (&self.first_response_urgent, &self.resolution_urgent),
        ]
    }
}

/// A typed number, or 0 (which the service refuses, naming the field) when it is none.
fn minutes(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(0)
}

struct DayRow {
    key: &'static str,
    label: &'static str,
    value: String,
}

struct TargetRow {
    key: &'static str,
    label: &'static str,
    first_response: String,
    resolution: String,
}

struct HolidayRow {
    id: i64,
    day: String,
    name: String,
}

#[derive(Template)]
#[template(path = "sla_settings.html")]
struct SlaPage {
    t: Tr,
    shell: Shell,
    time_zone: String,
    days: Vec<DayRow>,
    targets: Vec<TargetRow>,
    holidays: Vec<HolidayRow>,
    saved: bool,
    updated: Option<String>,
    error: Option<String>,
    holiday_error: Option<String>,
    holiday_day: String,
    holiday_name: String,
}

#[derive(Default)]
struct PageState {
    form: Option<SlaForm>,
    error: Option<(StatusCode, String)>,
    holiday_error: Option<(StatusCode, String)>,
    holiday: Option<HolidayForm>,
}

async fn sla_page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    st: PageState,
) -> PageResult {
    s.actor
        .require(Action::ManageRouting)
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(state, s, "sla", flash).await?;
    let t = s.tr();
    let current = sla::settings(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let holidays = sla::holidays(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let f = st.form.unwrap_or_else(|| SlaForm::of(&current));
    let days = WEEKDAYS
        .iter()
        .zip(f.hours())
        .map(|(key, value)| DayRow {
            key,
            label: t.s(&format!("sla.weekday.{key}")),
            value: value.to_string(),
        })
        .collect();
    let targets = Priority::ALL
        .iter()
        .zip(f.targets())
        .map(|(p, (first, resolution))| TargetRow {
            key: p.as_str(),
            label: t.s(&format!("sla.priority.{}", p.as_str())),
            first_response: first.to_string(),
            resolution: resolution.to_string(),
        })
        .collect();
    let status = st
        .error
        .as_ref()
        .or(st.holiday_error.as_ref())
        .map_or(StatusCode::OK, |(code, _)| *code);
    let holiday = st.holiday.unwrap_or_default();
    let view = SlaPage {
        t,
        time_zone: f.time_zone.clone(),
        days,
        targets,
        holidays: holidays
            .into_iter()
            .map(|h| HolidayRow {
                id: h.id.0,
                day: h.day,
                name: h.name,
            })
            .collect(),
        saved: current.saved,
        updated: current.updated_at.map(|at| {
            format!(
                "{} · {}",
                local_time(at, &shell.tz),
                current.updated_by.clone().unwrap_or_default()
            )
        }),
        error: st.error.map(|(_, e)| e),
        holiday_error: st.holiday_error.map(|(_, e)| e),
        holiday_day: holiday.day,
        holiday_name: holiday.name,
        shell,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Flash>,
) -> PageResult {
    sla_page(&state, &s, q.ok.as_deref(), PageState::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<SlaForm>,
) -> PageResult {
    let targets = f.targets();
    let input = SettingsInput {
        time_zone: &f.time_zone,
        hours: f.hours(),
        first_response: targets.map(|(first, _)| minutes(first)),
        resolution: targets.map(|(_, resolution)| minutes(resolution)),
    };
    match sla::update_settings(&state.db, &s.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/settings/sla?ok=sla.saved").into_response()),
        Err(e) => {
            let error = Some(refusal(&s, e)?);
            sla_page(
                &state,
                &s,
                None,
                PageState {
                    form: Some(f),
                    error,
                    ..Default::default()
                },
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HolidayForm {
    day: String,
    name: String,
}

pub async fn add_holiday(
    State(state): State<AppState>,
    s: PageSession,
    Form(h): Form<HolidayForm>,
) -> PageResult {
    match sla::add_holiday(&state.db, &s.actor, &h.day, &h.name).await {
        Ok(_) => Ok(Redirect::to("/settings/sla?ok=sla.holiday_added").into_response()),
        Err(e) => {
            let holiday_error = Some(refusal(&s, e)?);
            sla_page(
                &state,
                &s,
                None,
                PageState {
                    holiday_error,
                    holiday: Some(h),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

pub async fn remove_holiday(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    sla::remove_holiday(&state.db, &s.actor, HolidayId(id))
        .await
        .map_err(|e| s.fail(e))?;
    Ok(Redirect::to("/settings/sla?ok=sla.holiday_removed").into_response())
}
