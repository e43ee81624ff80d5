//! The loan application page: find the member (anggota only), choose the product,
//! amount and tenor, see the schedule, then submit.

use super::loans::{can_apply, denda_label, fee_label};
use super::{Shell, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::money::Rupiah;
use guyub_domain::{LoanProductId, MemberId, MemberStatus};
use guyub_services::loans::{self, Application, Preview, Product};
use guyub_services::members;
use guyub_store::members::Member;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    q: String,
    member: Option<i64>,
}

/// The form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ApplyForm {
    member_id: String,
    product_id: String,
    principal: String,
    tenor_months: String,
    purpose: String,
    /// `preview` or `submit`.
    action: String,
}

struct ProductOption {
    id: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "loan_new.html")]
struct NewPage {
    t: Tr,
    shell: Shell,
    q: String,
    found: Vec<Member>,
    searched: bool,
    member: Option<Member>,
    products: Vec<ProductOption>,
    f: ApplyForm,
    preview: Option<Preview>,
    error: Option<String>,
}

fn product_label(t: &Tr, p: &Product) -> String {
    format!(
        "{} — {} {} {}, {}–{} {}; provisi {}, adm. {}; denda {}",
        p.name,
        t.s(&format!("loans.method.{}", p.method.as_str())),
        p.yearly_rate,
        t.s("loans.per_year"),
        p.min_tenor,
        p.max_tenor,
        t.s("loans.months"),
        fee_label(&p.fees.provisi),
        fee_label(&p.fees.admin),
        denda_label(t, &p.penalty)
    )
}

async fn page(
    state: &AppState,
    s: &PageSession,
    q: String,
    member: Option<MemberId>,
    f: ApplyForm,
    preview: Option<Preview>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    if !can_apply(s) {
        return Err(s.fail(guyub_services::ServiceError::Forbidden));
    }
    let shell = Shell::load(state, s, "loans", None).await?;
    let t = s.tr();
    let (db, a) = (&state.db, &s.actor);
    let searched = !q.trim().is_empty();
    let found = if searched {
        members::search(db, a, &q, Some(MemberStatus::Anggota.as_str()), 20, 0)
            .await
            .map_err(|e| s.fail(e))?
    } else {
        Vec::new()
    };
    let member = match member {
        Some(id) => Some(members::get(db, a, id).await.map_err(|e| s.fail(e))?),
        None => None,
    };
    let products = loans::products(db, a)
        .await
        .map_err(|e| s.fail(e))?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| ProductOption {
            id: p.id.0,
            label: product_label(&t, &p),
        })
        .collect();
    let (code, error) = match error {
        Some((c, e)) => (c, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = NewPage {
        t,
        shell,
        q,
        found,
        searched,
        member,
        products,
        f,
        preview,
        error,
    };
    Ok((code, html(&view, s.lang())?).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let f = ApplyForm {
        member_id: q.member.map(|m| m.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    page(&state, &s, q.q, q.member.map(MemberId), f, None, None).await
}

fn unprocessable(msg: String) -> (StatusCode, String) {
    (StatusCode::UNPROCESSABLE_ENTITY, msg)
}

/// The typed application, or what is wrong with it.
fn parse(f: &ApplyForm) -> Result<Application, (StatusCode, String)> {
    let id = |raw: &str, field: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| unprocessable(format!("{field}: choose one")))
    };
    let member_id = MemberId(id(&f.member_id, "member_id")?);
    let product_id = LoanProductId(id(&f.product_id, "product_id")?);
    let principal =
        Rupiah::parse(&f.principal).map_err(|e| unprocessable(format!("principal: {e}")))?;
    let tenor_months = f
        .tenor_months
        .trim()
        .parse::<i64>()
        .map_err(|_| unprocessable("tenor_months: a number of months".into()))?;
    Ok(Application {
        member_id,
        product_id,
        principal,
        tenor_months,
        purpose: f.purpose.clone(),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<ApplyForm>,
) -> PageResult {
    let member = f.member_id.trim().parse::<i64>().ok().map(MemberId);
    let a = match parse(&f) {
        Ok(a) => a,
        Err(e) => return page(&state, &s, String::new(), member, f, None, Some(e)).await,
    };
    if f.action == "submit" {
        return match loans::apply(&state.db, &s.actor, &a).await {
            Ok(l) => Ok(Redirect::to(&format!("/loans/{}?ok=loans.applied", l.id)).into_response()),
            Err(e) => {
                let shown = refusal(&s, e)?;
                page(&state, &s, String::new(), member, f, None, Some(shown)).await
            }
        };
    }
    match loans::preview(
        &state.db,
        &s.actor,
        a.product_id,
        a.principal,
        a.tenor_months,
        None,
    )
    .await
    {
        Ok(p) => page(&state, &s, String::new(), member, f, Some(p), None).await,
        Err(e) => {
            let shown = refusal(&s, e)?;
            page(&state, &s, String::new(), member, f, None, Some(shown)).await
        }
    }
}
