//! The web UI: server-rendered pages. Each handler reads its session, calls a
//! service, and renders a template; forms are CSRF-checked by `auth::csrf_guard`.

mod account;
mod admin;
mod login;

use crate::auth::PageSession;
use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use guyub_domain::Action;
use guyub_store::cooperatives;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/setup", get(login::setup_form).post(login::setup_submit))
        .route("/", get(admin::dashboard))
        .route("/members", get(admin::members))
        .route("/users", get(admin::users).post(admin::add_user))
        .route("/users/{id}/role", post(admin::set_role))
        .route("/users/{id}/active", post(admin::set_active))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/audit", get(admin::audit))
        .route("/account", get(account::show))
        .route("/account/language", post(account::language))
        .route("/account/password", post(account::password))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::csrf_guard,
        ))
}

/// What the frame around every logged-in page shows.
pub struct Shell {
    pub coop_name: String,
    pub logo_svg: Option<String>,
    pub user_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub active: &'static str,
    pub can_users: bool,
    pub can_tokens: bool,
    pub can_audit: bool,
    pub flash: Option<&'static str>,
}

impl Shell {
    pub async fn load(
        state: &AppState,
        s: &PageSession,
        active: &'static str,
        flash: Option<&str>,
    ) -> Result<Shell, PageError> {
        let t = s.tr();
        let coop = cooperatives::get(
            &mut *state.db.conn().await.map_err(|e| s.fail(e.into()))?,
            s.actor.cooperative_id,
        )
        .await
        .map_err(|e| s.fail(e.into()))?;
        let role = s.actor.role;
        Ok(Shell {
            coop_name: coop.name,
            logo_svg: coop.logo_svg,
            user_name: s.session.user.name.clone(),
            role_label: t.role(&role),
            csrf: s.session.csrf_token.clone(),
            active,
            can_users: role.can(Action::ViewUsers),
            can_tokens: role.can(Action::ManageTokens),
            can_audit: role.can(Action::ViewAudit),
            flash: flash.map(|k| t.s(k)).filter(|m| *m != "??"),
        })
    }
}

/// Formats milliseconds since the epoch in the cooperative's time zone.
pub fn local_time(ms: i64, tz: &str) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(zone)
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// Query parameters that carry a flash message key after a redirect.
#[derive(serde::Deserialize, Default)]
pub struct Flash {
    pub ok: Option<String>,
}
