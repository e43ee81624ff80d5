//! Loan products and the collectibility thresholds (pengurus: owner and manager
//! change them; everyone reads them).

use super::loans::{denda_label, fee_label};
use super::{Flash, Shell, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::money::loan::{Fee, PenaltyRule};
use guyub_domain::money::{CollectibilityThresholds, Rupiah};
use guyub_domain::{Action, LoanProductId};
use guyub_services::loans::{self, DendaInput, FeeInput, Product, ProductInput};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// The product form as typed.
#[derive(Deserialize, Clone)]
#[serde(default)]
pub struct ProductForm {
    name: String,
    method: String,
    yearly_rate: String,
    min_tenor: String,
    max_tenor: String,
    min_principal: String,
    max_principal: String,
    provisi_kind: String,
    provisi_value: String,
    admin_kind: String,
    admin_value: String,
    denda_kind: String,
    denda_value: String,
    denda_grace_days: String,
    grace_months: String,
    /// A checkbox: present when ticked.
    active: Option<String>,
}

impl Default for ProductForm {
    fn default() -> Self {
        ProductForm {
            name: String::new(),
            method: "anuitas".into(),
            yearly_rate: "18".into(),
            min_tenor: "1".into(),
            max_tenor: "24".into(),
            min_principal: String::new(),
            max_principal: String::new(),
            provisi_kind: "percent".into(),
            provisi_value: "1".into(),
            admin_kind: "fixed".into(),
            admin_value: "0".into(),
            denda_kind: "daily_percent".into(),
            denda_value: "0,1".into(),
            denda_grace_days: "3".into(),
            grace_months: "0".into(),
            active: Some("1".into()),
        }
    }
}

fn fee_parts(f: &Fee) -> (String, String) {
    match f {
        Fee::Percent(r) => ("percent".into(), r.percent().to_string().replace('.', ",")),
        Fee::Fixed(a) => ("fixed".into(), a.get().to_string()),
    }
}

impl ProductForm {
    fn of(p: &Product) -> ProductForm {
        let (pk, pv) = fee_parts(&p.fees.provisi);
        let (ak, av) = fee_parts(&p.fees.admin);
        let (dk, dv) = match p.penalty.rule {
            PenaltyRule::None => ("none", String::new()),
            PenaltyRule::DailyPercent(r) => {
                ("daily_percent", r.percent().to_string().replace('.', ","))
            }
            PenaltyRule::DailyFixed(a) => ("daily_fixed", a.get().to_string()),
            PenaltyRule::PerInstallment(a) => ("per_installment", a.get().to_string()),
        };
        ProductForm {
            name: p.name.clone(),
            method: p.method.as_str().into(),
            yearly_rate: p.yearly_rate.percent().to_string().replace('.', ","),
            min_tenor: p.min_tenor.to_string(),
            max_tenor: p.max_tenor.to_string(),
            min_principal: if p.min_principal.is_zero() {
                String::new()
            } else {
                p.min_principal.get().to_string()
            },
            max_principal: p
                .max_principal
                .map(|m| m.get().to_string())
                .unwrap_or_default(),
            provisi_kind: pk,
            provisi_value: pv,
            admin_kind: ak,
            admin_value: av,
            denda_kind: dk.into(),
            denda_value: dv,
            denda_grace_days: p.penalty.grace_days.to_string(),
            grace_months: p.grace_months.to_string(),
            active: p.active.then(|| "1".into()),
        }
    }

    fn input(&self) -> Result<ProductInput, (StatusCode, String)> {
        let bad = |field: &str, what: &str| {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("{field}: {what}"))
        };
        let int = |raw: &str, field: &str| -> Result<i64, (StatusCode, String)> {
            raw.trim()
                .parse::<i64>()
                .map_err(|_| bad(field, "a whole number"))
        };
        let money = |raw: &str, field: &str| -> Result<Option<i64>, (StatusCode, String)> {
            if raw.trim().is_empty() {
                return Ok(None);
            }
            Rupiah::parse(raw)
                .map(|r| Some(r.get()))
                .map_err(|e| bad(field, &e.to_string()))
        };
        Ok(ProductInput {
            name: self.name.clone(),
            method: self.method.clone(),
            yearly_rate: self.yearly_rate.clone(),
            min_tenor: int(&self.min_tenor, "min_tenor")?,
            max_tenor: int(&self.max_tenor, "max_tenor")?,
            min_principal: money(&self.min_principal, "min_principal")?,
            max_principal: money(&self.max_principal, "max_principal")?,
            provisi: FeeInput {
                kind: self.provisi_kind.clone(),
                value: self.provisi_value.clone(),
            },
            admin: FeeInput {
                kind: self.admin_kind.clone(),
                value: self.admin_value.clone(),
            },
            denda: DendaInput {
                kind: self.denda_kind.clone(),
                value: self.denda_value.clone(),
                grace_days: if self.denda_grace_days.trim().is_empty() {
                    0
                } else {
                    int(&self.denda_grace_days, "denda")?
                },
            },
            grace_months: if self.grace_months.trim().is_empty() {
                0
            } else {
                int(&self.grace_months, "grace_months")?
            },
            active: Some(self.active.is_some()),
        })
    }
}

struct ProductRow {
    id: i64,
    name: String,
    method_label: &'static str,
    rate: String,
    tenor: String,
    provisi: String,
    admin: String,
    denda: String,
    grace_months: u32,
    active: bool,
}

#[derive(Template)]
#[template(path = "loan_products.html")]
struct ProductsPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ProductRow>,
    can_manage: bool,
    /// The product being edited (None: the add form).
    editing: Option<i64>,
    f: ProductForm,
    thresholds: CollectibilityThresholds,
    error: Option<String>,
}

async fn products_page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    editing: Option<i64>,
    f: ProductForm,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let shell = Shell::load(state, s, "loans", flash).await?;
    let t = s.tr();
    let list = loans::products(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let thresholds = loans::thresholds(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let rows = list
        .iter()
        .map(|p| ProductRow {
            id: p.id.0,
            name: p.name.clone(),
            method_label: t.s(&format!("loans.method.{}", p.method.as_str())),
            rate: p.yearly_rate.to_string(),
            tenor: format!("{}–{}", p.min_tenor, p.max_tenor),
            provisi: fee_label(&p.fees.provisi),
            admin: fee_label(&p.fees.admin),
            denda: denda_label(&t, &p.penalty),
            grace_months: p.grace_months,
            active: p.active,
        })
        .collect();
    let (code, error) = match error {
        Some((c, e)) => (c, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = ProductsPage {
        t,
        shell,
        rows,
        can_manage: s.actor.role.can(Action::ApproveLoans),
        editing,
        f,
        thresholds,
        error,
    };
    Ok((code, html(&view, s.lang())?).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Flash>,
) -> PageResult {
    products_page(
        &state,
        &s,
        q.ok.as_deref(),
        None,
        ProductForm::default(),
        None,
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    s.actor
        .require(Action::ApproveLoans)
        .map_err(|e| s.fail(e))?;
    let p = loans::product(&state.db, &s.actor, LoanProductId(id))
        .await
        .map_err(|e| s.fail(e))?;
    products_page(&state, &s, None, Some(id), ProductForm::of(&p), None).await
}

pub async fn create(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<ProductForm>,
) -> PageResult {
    let r = match f.input() {
        Err(e) => Err(e),
        Ok(input) => match loans::create_product(&state.db, &s.actor, &input).await {
            Ok(_) => Ok(()),
            Err(e) => Err(refusal(&s, e)?),
        },
    };
    match r {
        Ok(()) => Ok(Redirect::to("/loans/products?ok=loans.product_saved").into_response()),
        Err(e) => products_page(&state, &s, None, None, f, Some(e)).await,
    }
}

pub async fn update(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<ProductForm>,
) -> PageResult {
    let r = match f.input() {
        Err(e) => Err(e),
        Ok(input) => {
            match loans::update_product(&state.db, &s.actor, LoanProductId(id), &input).await {
                Ok(_) => Ok(()),
                Err(e) => Err(refusal(&s, e)?),
            }
        }
    };
    match r {
        Ok(()) => Ok(Redirect::to("/loans/products?ok=loans.product_saved").into_response()),
        Err(e) => products_page(&state, &s, None, Some(id), f, Some(e)).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ThresholdsForm {
    kurang_lancar_after: String,
    diragukan_after: String,
    macet_after: String,
}

pub async fn set_thresholds(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<ThresholdsForm>,
) -> PageResult {
    let day = |raw: &str, field: &str| {
        raw.trim().parse::<i64>().map_err(|_| {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{field}: a number of days"),
            )
        })
    };
    let parsed = (|| {
        Ok::<_, (StatusCode, String)>((
            day(&f.kurang_lancar_after, "kurang_lancar_after")?,
            day(&f.diragukan_after, "diragukan_after")?,
            day(&f.macet_after, "macet_after")?,
        ))
    })();
    let r = match parsed {
        Err(e) => Err(e),
        Ok((k, d, m)) => match loans::set_thresholds(&state.db, &s.actor, k, d, m).await {
            Ok(_) => Ok(()),
            Err(e) => Err(refusal(&s, e)?),
        },
    };
    match r {
        Ok(()) => Ok(Redirect::to("/loans/products?ok=loans.thresholds_saved").into_response()),
        Err(e) => products_page(&state, &s, None, None, ProductForm::default(), Some(e)).await,
    }
}
