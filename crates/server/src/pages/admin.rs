//! Dashboard, users and roles, API tokens, audit log viewer.

use super::{Flash, Shell, local_time};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{Action, ApiTokenId, Role, UserId};
use guyub_services::{ServiceError, members, staff};
use guyub_store::audit::Filter;
use guyub_store::users::User;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    shell: Shell,
    member_count: i64,
    user_count: usize,
}

pub async fn dashboard(State(state): State<AppState>, s: PageSession) -> PageResult {
    let shell = Shell::load(&state, &s, "dashboard", None).await?;
    let member_count = members::count(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let user_count = match staff::list_users(&state.db, &s.actor).await {
        Ok(u) => u.len(),
        Err(ServiceError::Forbidden) => 0,
        Err(e) => return Err(s.fail(e)),
    };
    Ok(html(
        &DashboardPage {
            t: s.tr(),
            shell,
            member_count,
            user_count,
        },
        s.lang(),
    )?
    .into_response())
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    t: Tr,
    shell: Shell,
    users: Vec<User>,
    roles: Vec<Role>,
    can_manage: bool,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let shell = Shell::load(state, s, "users", flash).await?;
    let users = staff::list_users(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || s.actor.role == Role::Owner)
        .collect();
    let page = UsersPage {
        t: s.tr(),
        shell,
        users,
        roles,
        can_manage: s.actor.role.can(Action::ManageUsers),
        error,
    };
    Ok((status, html(&page, s.lang())?).into_response())
}

pub async fn users(
    State(state): State<AppState>,
    s: PageSession,
    Query(f): Query<Flash>,
) -> PageResult {
    users_page(&state, &s, f.ok.as_deref(), None, StatusCode::OK).await
}

/// A refused form re-renders its page with the reason; other failures are error pages.
async fn or_redisplay<F, Fut>(e: ServiceError, s: &PageSession, redisplay: F) -> PageResult
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    match e {
        ServiceError::Invalid { .. } | ServiceError::Conflict(_) => redisplay(e.to_string()).await,
        other => Err(s.fail(other)),
    }
}

#[derive(Deserialize)]
pub struct AddUserForm {
    name: String,
    email: String,
    role: String,
    password: String,
}

fn parse_role(s: &PageSession, raw: &str) -> Result<Role, PageError> {
    raw.parse().map_err(|_| PageError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        lang: s.lang(),
        message: format!("role: unknown role '{raw}'"),
    })
}

pub async fn add_user(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<AddUserForm>,
) -> PageResult {
    let role = parse_role(&s, &f.role)?;
    let input = staff::AddUser {
        email: &f.email,
        name: &f.name,
        role,
        password: &f.password,
        locale: "id",
    };
    match staff::add_user(&state.db, &s.actor, input).await {
        Ok(_) => Ok(Redirect::to("/users?ok=users.created").into_response()),
        Err(e) => {
            or_redisplay(e, &s, |m| {
                users_page(&state, &s, None, Some(m), StatusCode::UNPROCESSABLE_ENTITY)
            })
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> PageResult {
    let role = parse_role(&s, &f.role)?;
    match staff::set_role(&state.db, &s.actor, UserId(id), role).await {
        Ok(_) => Ok(Redirect::to("/users?ok=users.updated").into_response()),
        Err(e) => {
            or_redisplay(e, &s, |m| {
                users_page(&state, &s, None, Some(m), StatusCode::UNPROCESSABLE_ENTITY)
            })
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> PageResult {
    match staff::set_active(&state.db, &s.actor, UserId(id), f.active).await {
        Ok(_) => Ok(Redirect::to("/users?ok=users.updated").into_response()),
        Err(e) => {
            or_redisplay(e, &s, |m| {
                users_page(&state, &s, None, Some(m), StatusCode::UNPROCESSABLE_ENTITY)
            })
            .await
        }
    }
}

struct TokenRow {
    id: i64,
    name: String,
    role: Role,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    t: Tr,
    shell: Shell,
    tokens: Vec<TokenRow>,
    roles: Vec<Role>,
    new_secret: Option<String>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    s: &PageSession,
    new_secret: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let shell = Shell::load(state, s, "tokens", None).await?;
    let tz = "Asia/Jakarta";
    let t = s.tr();
    let tokens = staff::list_tokens(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?
        .into_iter()
        .map(|k| TokenRow {
            id: k.id.0,
            name: k.name,
            role: k.role,
            prefix: k.prefix,
            created: local_time(k.created_at, tz),
            last_used: k
                .last_used_at
                .map(|ms| local_time(ms, tz))
                .unwrap_or_else(|| t.s("tokens.never").into()),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || s.actor.role == Role::Owner)
        .collect();
    Ok((
        status,
        html(
            &TokensPage {
                t,
                shell,
                tokens,
                roles,
                new_secret,
                error,
            },
            s.lang(),
        )?,
    )
        .into_response())
}

pub async fn tokens(State(state): State<AppState>, s: PageSession) -> PageResult {
    tokens_page(&state, &s, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    role: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<TokenForm>,
) -> PageResult {
    let role = parse_role(&s, &f.role)?;
    match staff::create_token(&state.db, &s.actor, &f.name, role).await {
        Ok((_, secret)) => tokens_page(&state, &s, Some(secret), None, StatusCode::OK).await,
        Err(e) => {
            or_redisplay(e, &s, |m| {
                tokens_page(&state, &s, None, Some(m), StatusCode::UNPROCESSABLE_ENTITY)
            })
            .await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    staff::revoke_token(&state.db, &s.actor, ApiTokenId(id))
        .await
        .map_err(|e| s.fail(e))?;
    Ok(Redirect::to("/tokens").into_response())
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: i64,
}

struct AuditRow {
    seq: i64,
    when: String,
    actor: String,
    action: String,
    target: String,
    source: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    shell: Shell,
    entries: Vec<AuditRow>,
    f_action: String,
    f_actor: String,
    f_from: String,
    f_to: String,
    newer: Option<String>,
    older: Option<String>,
}

const AUDIT_PAGE: i64 = 50;

/// A `YYYY-MM-DD` date in the cooperative's zone as milliseconds at its start (or,
/// with `end`, at the start of the next day).
fn day_ms(date: &str, tz: &str, end: bool) -> Option<i64> {
    let d: jiff::civil::Date = date.trim().parse().ok()?;
    let d = if end { d.tomorrow().ok()? } else { d };
    let zone = jiff::tz::TimeZone::get(tz).ok()?;
    Some(d.to_zoned(zone).ok()?.timestamp().as_millisecond() - i64::from(end))
}

pub async fn audit(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let shell = Shell::load(&state, &s, "audit", None).await?;
    let tz = "Asia/Jakarta";
    let page = q.page.max(0);
    let filter = Filter {
        action_prefix: q.action.trim().to_string(),
        actor_contains: q.actor.trim().to_string(),
        from_ms: day_ms(&q.from, tz, false),
        to_ms: day_ms(&q.to, tz, true),
        limit: AUDIT_PAGE + 1,
        offset: page * AUDIT_PAGE,
    };
    let mut entries = staff::audit_entries(&state.db, &s.actor, &filter)
        .await
        .map_err(|e| s.fail(e))?;
    let has_more = entries.len() as i64 > AUDIT_PAGE;
    entries.truncate(AUDIT_PAGE as usize);
    let query_for = |p: i64| {
        serde_urlencoded::to_string([
            ("action", &q.action),
            ("actor", &q.actor),
            ("from", &q.from),
            ("to", &q.to),
            ("page", &p.to_string()),
        ])
        .unwrap_or_default()
    };
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            when: local_time(e.at, tz),
            actor: e.actor,
            action: e.action,
            target: e.target,
            source: e.source,
            detail: e.detail,
        })
        .collect();
    let view = AuditPage {
        t: s.tr(),
        shell,
        entries: rows,
        newer: (page > 0).then(|| query_for(page - 1)),
        older: has_more.then(|| query_for(page + 1)),
        f_action: q.action,
        f_actor: q.actor,
        f_from: q.from,
        f_to: q.to,
    };
    Ok(html(&view, s.lang())?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_bounds_are_local() {
        // 2026-01-01 00:00 WIB is 2025-12-31 17:00 UTC.
        assert_eq!(
            day_ms("2026-01-01", "Asia/Jakarta", false),
            Some(1_767_200_400_000)
        );
        assert_eq!(
            day_ms("2026-01-01", "Asia/Jakarta", true),
            Some(1_767_200_400_000 + 86_400_000 - 1)
        );
        assert_eq!(day_ms("not a date", "Asia/Jakarta", false), None);
    }
}
