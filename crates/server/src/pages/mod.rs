//! The web UI: server-rendered pages. Each handler reads its session, calls a
//! service, and renders a template; forms are CSRF-checked by `auth::csrf_guard`.

mod account;
mod admin;
mod channels;
mod contacts;
pub(crate) mod conversations;
mod loan_apply;
mod loan_products;
mod loan_report;
mod loans;
mod login;
mod members;
mod reviews;
pub mod savings;
mod search;
mod simulator_page;
// Ledger, reports and SHU (issue 6).
mod ledger;
mod reports;
mod shu;
// SLA and canned replies (issue 5, the inbox).
mod canned;
mod sla;
// Inbox routing settings (issue 5, the inbox).
mod inbox_settings;

use crate::auth::PageSession;
use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use guyub_domain::Action;
use guyub_services::identity;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/setup", get(login::setup_form).post(login::setup_submit))
        .route("/", get(admin::dashboard))
        .route("/members", get(members::list))
        .route("/members/new", get(members::new_form).post(members::create))
        .route(
            "/members/import",
            get(members::import_form).post(members::import),
        )
        .route("/members/export", get(members::export))
        .route("/members/reviews", get(reviews::list))
        .route("/members/reviews/{id}", post(reviews::settle))
        .route("/members/{id}", get(members::show))
        .route(
            "/members/{id}/edit",
            get(members::edit_form).post(members::update),
        )
        .route("/members/{id}/status", post(members::change_status))
        .route("/contacts", get(contacts::list))
        .route("/contacts/{id}", get(contacts::show))
        .route("/contacts/{id}/link", post(contacts::link))
        .route("/contacts/{id}/unlink", post(contacts::unlink))
        .route("/contacts/{id}/identities", post(contacts::add_identity))
        .route(
            "/contacts/{id}/merge",
            get(contacts::merge_preview).post(contacts::merge),
        )
        .route("/merges/{id}/undo", post(contacts::undo_merge))
        .route("/identities/{id}/code", post(contacts::send_code))
        .route("/identities/{id}/confirm", post(contacts::confirm_code))
        .route("/users", get(admin::users).post(admin::add_user))
        .route("/users/{id}/role", post(admin::set_role))
        .route("/users/{id}/active", post(admin::set_active))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/audit", get(admin::audit))
        .route("/channels", get(channels::list))
        .route(
            "/channels/new",
            get(channels::new_form).post(channels::create),
        )
        .route("/channels/{id}", get(channels::show).post(channels::update))
        .route("/channels/{id}/active", post(channels::set_active))
        .route("/channels/{id}/test", post(channels::test))
        .route("/search", get(search::show))
        .route("/conversations", get(conversations::list))
        .route("/conversations/{id}", get(conversations::show))
        .route("/conversations/{id}/reply", post(conversations::reply))
        .route("/conversations/{id}/assign", post(conversations::assign))
        .route(
            "/conversations/{id}/status",
            post(conversations::set_status),
        )
        .route(
            "/conversations/{id}/priority",
            post(conversations::set_priority),
        )
        .route("/conversations/{id}/note", post(conversations::add_note))
        .route(
            "/conversations/{id}/canned",
            post(conversations::insert_canned),
        )
        .route("/conversations/{id}/label", post(conversations::label))
        .route(
            "/conversations/{id}/messages/{message}/split",
            post(conversations::split_out),
        )
        .route("/inbox/presence", post(conversations::presence))
        .route("/inbox/csat", get(conversations::csat))
        .route("/inbox/events", get(conversations::events))
        .route(
            "/conversations/{id}/file",
            post(conversations::send_file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/conversations/{id}/messages/{message}/file",
            get(conversations::file),
        )
        .route(
            "/conversations/{id}/messages/{message}/resend",
            post(conversations::resend),
        )
        .route(
            "/simulator",
            get(simulator_page::show).post(simulator_page::send),
        )
        .route("/savings/teller", get(savings::teller))
        .route("/savings/teller/deposit", post(savings::deposit))
        .route("/savings/teller/withdraw", post(savings::withdraw))
        .route("/savings/teller/transfer", post(savings::transfer))
        .route("/savings/teller/payout", post(savings::payout))
        .route("/savings/receipts/{no}", get(savings::receipt))
        .route("/savings/members/{id}/statement", get(savings::statement))
        .route("/savings/arrears", get(savings::arrears))
        .route(
            "/savings/settings",
            get(savings::settings_form).post(savings::save_settings),
        )
        .route("/savings/settings/billing", post(savings::run_billing))
        .route("/savings/settings/jasa", post(savings::run_jasa))
        // Ledger, reports and SHU (issue 6).
        .route(
            "/ledger",
            get(|| async { axum::response::Redirect::to("/ledger/journal") }),
        )
        .route(
            "/ledger/accounts",
            get(ledger::accounts).post(ledger::add_account),
        )
        .route(
            "/ledger/accounts/{id}",
            get(ledger::account_form).post(ledger::update_account),
        )
        .route("/ledger/journal", get(ledger::journal))
        .route(
            "/ledger/journal/new",
            get(ledger::new_entry).post(ledger::post_entry),
        )
        .route("/ledger/journal/{id}", get(ledger::entry))
        .route("/ledger/journal/{id}/reverse", post(ledger::reverse))
        .route("/ledger/close", post(ledger::close))
        .route("/ledger/card", get(ledger::card))
        .route("/ledger/export.csv", get(ledger::export_csv))
        .route("/ledger/export.beancount", get(ledger::export_beancount))
        .route("/reports", get(reports::index))
        .route("/reports/trial-balance", get(reports::trial_balance))
        .route("/reports/balance-sheet", get(reports::balance_sheet))
        .route("/reports/income-statement", get(reports::income_statement))
        .route("/reports/cash-book", get(reports::cash_book))
        .route("/reports/savings", get(reports::savings_summary))
        .route("/shu", get(shu::show))
        .route("/shu/{year}/allocation", post(shu::set_allocation))
        .route("/shu/{year}/post", post(shu::post))
        .route("/shu/{year}/members/{member}", get(shu::slip))
        .route("/loans", get(loans::list))
        .route("/loans/new", get(loan_apply::form).post(loan_apply::submit))
        .route(
            "/loans/products",
            get(loan_products::list).post(loan_products::create),
        )
        .route(
            "/loans/products/{id}",
            get(loan_products::edit_form).post(loan_products::update),
        )
        .route("/loans/settings", post(loan_products::set_thresholds))
        .route("/loans/receipts/{id}", get(loans::receipt))
        .route("/loans/{id}", get(loans::show))
        .route("/loans/{id}/approve", post(loans::approve))
        .route("/loans/{id}/reject", post(loans::reject))
        .route("/loans/{id}/disburse", post(loans::disburse))
        .route("/loans/{id}/repay", post(loans::repay))
        .route("/loans/{id}/payoff", post(loans::payoff))
        .route("/reports/loan-portfolio", get(loan_report::portfolio))
        // SLA and canned replies (issue 5, the inbox).
        .route("/settings/sla", get(sla::show).post(sla::save))
        .route("/settings/sla/holidays", post(sla::add_holiday))
        .route(
            "/settings/sla/holidays/{id}/delete",
            post(sla::remove_holiday),
        )
        .route("/settings/canned", get(canned::list).post(canned::create))
        .route(
            "/settings/canned/{id}",
            get(canned::edit_form).post(canned::update),
        )
        .route("/settings/canned/{id}/delete", post(canned::delete))
        // Inbox routing settings (issue 5, the inbox).
        .route(
            "/settings/inbox",
            get(inbox_settings::show).post(inbox_settings::save),
        )
        .route(
            "/settings/inbox/agents/{user_id}",
            post(inbox_settings::update_agent),
        )
        .route("/settings/inbox/teams", post(inbox_settings::create_team))
        .route(
            "/settings/inbox/teams/{id}",
            post(inbox_settings::update_team),
        )
        .route(
            "/settings/inbox/teams/{id}/delete",
            post(inbox_settings::delete_team),
        )
        .route(
            "/settings/inbox/teams/{id}/members",
            post(inbox_settings::set_team_members),
        )
        .route("/settings/inbox/rules", post(inbox_settings::add_rule))
        .route(
            "/settings/inbox/rules/{id}/delete",
            post(inbox_settings::delete_rule),
        )
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
    /// The cooperative's time zone, for `local_time`.
    pub tz: String,
    pub active: &'static str,
    /// Open identity reviews, shown in the menu to those who settle them.
    pub open_reviews: i64,
    pub can_reviews: bool,
    pub can_users: bool,
    pub can_tokens: bool,
    pub can_audit: bool,
    /// Conversations (the inbox work).
    pub can_inbox: bool,
    /// SLA settings (supervisors, administrators, owners).
    pub can_routing: bool,
    /// The provider simulator is on (`--demo`): its page is in the menu.
    pub simulator: bool,
    /// Kasir / Teller: deposits, withdrawals, transfers.
    pub can_teller: bool,
    /// Savings settings and the monthly runs (pengurus, owner).
    pub can_savings_settings: bool,
    /// Ledger ("Buku Besar") and reports ("Laporan", SHU) in the menu.
    pub can_ledger: bool,
    pub can_reports: bool,
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
        let coop = guyub_services::setup::cooperative(&state.db, &s.actor)
            .await
            .map_err(|e| s.fail(e))?;
        let role = s.actor.role;
        let can_reviews = role.can(Action::ManageMembers);
        let open_reviews = if can_reviews {
            identity::open_review_count(&state.db, &s.actor)
                .await
                .map_err(|e| s.fail(e))?
        } else {
            0
        };
        Ok(Shell {
            coop_name: coop.name,
            logo_svg: coop.logo_svg,
            user_name: s.session.user.name.clone(),
            role_label: t.role(&role),
            csrf: s.session.csrf_token.clone(),
            tz: coop.timezone,
            active,
            open_reviews,
            can_reviews,
            can_users: role.can(Action::ViewUsers),
            can_tokens: role.can(Action::ManageTokens),
            can_audit: role.can(Action::ViewAudit),
            can_inbox: role.can(Action::WorkInbox),
            can_routing: role.can(Action::ManageRouting),
            simulator: state.config.simulator,
            can_teller: role.can(Action::TellerTransactions),
            can_savings_settings: role.can(Action::PostJournal),
            can_ledger: role.can(Action::ViewLedger),
            can_reports: role.can(Action::ViewReports),
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

/// A refusal that a page shows next to its form (a bad value, a conflict, too many
/// codes) with its status; anything else becomes an error page.
pub fn refusal(
    s: &PageSession,
    e: guyub_services::ServiceError,
) -> Result<(axum::http::StatusCode, String), PageError> {
    use axum::http::StatusCode;
    use guyub_services::ServiceError;
    match e {
        ServiceError::Invalid { .. } | ServiceError::Conflict(_) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))
        }
        ServiceError::TooManyAttempts { .. } => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            s.tr().s("identity.too_many_codes").to_string(),
        )),
        other => Err(s.fail(other)),
    }
}

/// Where a form on several pages returns to: a member's or a contact's page. Only these
/// two shapes are accepted, so a form cannot redirect anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    Member(i64),
    Contact(i64),
}

impl Back {
    pub fn parse(raw: &str) -> Option<Back> {
        let (kind, id) = raw.strip_prefix('/')?.split_once('/')?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id = id.parse().ok()?;
        match kind {
            "members" => Some(Back::Member(id)),
            "contacts" => Some(Back::Contact(id)),
            _ => None,
        }
    }

    pub fn path(self) -> String {
        match self {
            Back::Member(id) => format!("/members/{id}"),
            Back::Contact(id) => format!("/contacts/{id}"),
        }
    }
}

/// `+62812…` shown as `+62812****0001`: enough to recognise, not to harvest.
pub fn mask_phone(p: &str) -> String {
    let n = p.chars().count();
    if n <= 8 {
        return "*".repeat(n);
    }
    p.chars()
        .enumerate()
        .map(|(i, c)| if i >= 6 && i < n - 4 { '*' } else { c })
        .collect()
}

/// The query of a list page for `page`, keeping its other parameters.
pub fn page_query(params: &[(&str, &str)], page: i64) -> String {
    let mut all: Vec<(&str, String)> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
    all.push(("page", page.to_string()));
    serde_urlencoded::to_string(all).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("+6281234500001"), "+62812****0001");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[test]
    fn forms_return_only_to_member_and_contact_pages() {
        assert_eq!(Back::parse("/members/12"), Some(Back::Member(12)));
        assert_eq!(Back::parse("/contacts/3"), Some(Back::Contact(3)));
        for bad in [
            "//evil.example/1",
            "/members/",
            "/members/1/edit",
            "/users/1",
            "https://x/members/1",
            "/members/-1",
        ] {
            assert_eq!(Back::parse(bad), None, "{bad}");
        }
        assert_eq!(Back::Member(4).path(), "/members/4");
    }

    #[test]
    fn page_links_keep_the_search() {
        assert_eq!(
            page_query(&[("q", "siti r"), ("status", "")], 2),
            "q=siti+r&page=2"
        );
    }
}
