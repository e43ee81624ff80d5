//! Loan products (kept by pengurus: owner and manager) and the cooperative's
//! collectibility thresholds.

use super::{Product, fee_from, fee_to, penalty_from, penalty_to, product_of};
use crate::{Actor, Result, invalid, record};
use guyub_domain::money::loan::{LoanFees, PenaltyPolicy};
use guyub_domain::money::{CollectibilityThresholds, LoanMethod, LoanTerms, Rate, Rupiah};
use guyub_domain::{Action, CooperativeId, LoanProductId};
use guyub_store::loans::{self as store, NewProduct, Thresholds};
use guyub_store::{Conn, Db, now_ms};
use serde::Deserialize;

/// A fee as typed: `kind` is `percent` (value a percentage, `1` or `1,5`) or `fixed`
/// (value in rupiah, `50000` or `50.000`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FeeInput {
    pub kind: String,
    pub value: String,
}

/// The denda rule as typed: `kind` is `none`, `daily_percent` (value a percentage of
/// the overdue amount per day), `daily_fixed` (rupiah per day) or `per_installment`
/// (rupiah once per late instalment); `grace_days` late without denda.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DendaInput {
    pub kind: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub grace_days: i64,
}

/// A product as typed (create and update).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductInput {
    pub name: String,
    /// `flat`, `menurun` or `anuitas`.
    pub method: String,
    /// Yearly, a percentage: `18`, `12,5`.
    pub yearly_rate: String,
    pub min_tenor: i64,
    pub max_tenor: i64,
    #[serde(default)]
    pub min_principal: Option<i64>,
    #[serde(default)]
    pub max_principal: Option<i64>,
    pub provisi: FeeInput,
    pub admin: FeeInput,
    pub denda: DendaInput,
    #[serde(default)]
    pub grace_months: i64,
    /// Defaults to true.
    #[serde(default)]
    pub active: Option<bool>,
}

fn parse(i: &ProductInput) -> Result<Product> {
    let name = i.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid("name", "a name of 1 to 100 characters"));
    }
    let method = LoanMethod::parse(&i.method).map_err(|e| invalid("method", e.to_string()))?;
    let yearly_rate =
        Rate::parse(&i.yearly_rate).map_err(|e| invalid("yearly_rate", e.to_string()))?;
    let max = i64::from(LoanTerms::MAX_TENOR_MONTHS);
    if !(1..=max).contains(&i.min_tenor) {
        return Err(invalid("min_tenor", format!("1 to {max} months")));
    }
    if !(i.min_tenor..=max).contains(&i.max_tenor) {
        return Err(invalid(
            "max_tenor",
            format!("{} to {max} months (not under the minimum)", i.min_tenor),
        ));
    }
    let min_principal = i.min_principal.unwrap_or(0);
    if min_principal < 0 {
        return Err(invalid("min_principal", "cannot be negative"));
    }
    if let Some(m) = i.max_principal
        && (m <= 0 || m < min_principal)
    {
        return Err(invalid(
            "max_principal",
            "more than zero and not under the minimum",
        ));
    }
    if i.grace_months < 0 || i.grace_months >= i.min_tenor {
        return Err(invalid(
            "grace_months",
            "0 or more, and fewer than the minimum tenor",
        ));
    }
    let provisi = fee_from(i.provisi.kind.trim(), i.provisi.value.trim())
        .map_err(|e| invalid("provisi", e))?;
    let admin =
        fee_from(i.admin.kind.trim(), i.admin.value.trim()).map_err(|e| invalid("admin", e))?;
    let value = if i.denda.kind.trim() == "none" && i.denda.value.trim().is_empty() {
        "0"
    } else {
        i.denda.value.trim()
    };
    let penalty: PenaltyPolicy = penalty_from(i.denda.kind.trim(), value, i.denda.grace_days)
        .map_err(|e| invalid("denda", e))?;
    Ok(Product {
        id: LoanProductId(0),
        name: name.to_string(),
        method,
        yearly_rate,
        min_tenor: i.min_tenor as u32,
        max_tenor: i.max_tenor as u32,
        min_principal: Rupiah::new(min_principal),
        max_principal: i.max_principal.map(Rupiah::new),
        fees: LoanFees { provisi, admin },
        penalty,
        grace_months: i.grace_months as u32,
        active: i.active.unwrap_or(true),
    })
}

fn summary(p: &Product) -> String {
    format!(
        "{} ({} {} a year, {}–{} months)",
        p.name, p.method, p.yearly_rate, p.min_tenor, p.max_tenor
    )
}

/// A product's text forms, owned, for the store row to borrow.
struct Texts {
    rate: String,
    provisi: (&'static str, String),
    admin: (&'static str, String),
    denda: (&'static str, String),
}

fn texts(p: &Product) -> Texts {
    Texts {
        rate: String::from(p.yearly_rate),
        provisi: fee_to(&p.fees.provisi),
        admin: fee_to(&p.fees.admin),
        denda: penalty_to(&p.penalty),
    }
}

fn row<'a>(p: &'a Product, t: &'a Texts) -> NewProduct<'a> {
    NewProduct {
        name: &p.name,
        method: p.method.as_str(),
        yearly_rate: &t.rate,
        min_tenor: i64::from(p.min_tenor),
        max_tenor: i64::from(p.max_tenor),
        min_principal: p.min_principal.get(),
        max_principal: p.max_principal.map(Rupiah::get),
        provisi_kind: t.provisi.0,
        provisi_value: &t.provisi.1,
        admin_kind: t.admin.0,
        admin_value: &t.admin.1,
        denda_kind: t.denda.0,
        denda_value: &t.denda.1,
        denda_grace_days: i64::from(p.penalty.grace_days),
        grace_months: i64::from(p.grace_months),
        active: p.active,
    }
}

pub async fn create_product(db: &Db, actor: &Actor, input: &ProductInput) -> Result<Product> {
    actor.require(Action::ApproveLoans)?;
    let mut p = parse(input)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let t = texts(&p);
    let id = store::insert_product(&mut tx, coop, &row(&p, &t), now_ms()).await?;
    p.id = id;
    record(
        &mut tx,
        actor,
        "loan.product_created",
        &format!("loan_product:{id}"),
        &summary(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_product(
    db: &Db,
    actor: &Actor,
    id: LoanProductId,
    input: &ProductInput,
) -> Result<Product> {
    actor.require(Action::ApproveLoans)?;
    let mut p = parse(input)?;
    p.id = id;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let t = texts(&p);
    store::update_product(&mut tx, coop, id, &row(&p, &t), now_ms()).await?;
    record(
        &mut tx,
        actor,
        "loan.product_updated",
        &format!("loan_product:{id}"),
        &format!(
            "{}{}",
            summary(&p),
            if p.active { "" } else { ", switched off" }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// Every product, active ones first.
pub async fn products(db: &Db, actor: &Actor) -> Result<Vec<Product>> {
    actor.require(Action::ViewMembers)?;
    let rows = store::products(&mut *db.conn().await?, actor.cooperative_id).await?;
    rows.into_iter().map(product_of).collect()
}

pub async fn product(db: &Db, actor: &Actor, id: LoanProductId) -> Result<Product> {
    actor.require(Action::ViewMembers)?;
    product_of(store::product(&mut *db.conn().await?, actor.cooperative_id, id).await?)
}

fn to_store(t: CollectibilityThresholds) -> Thresholds {
    Thresholds {
        kurang_lancar_after: i64::from(t.kurang_lancar_after()),
        diragukan_after: i64::from(t.diragukan_after()),
        macet_after: i64::from(t.macet_after()),
    }
}

/// The thresholds in force: the cooperative's setting, or the documented defaults.
pub(crate) async fn thresholds_in(
    conn: &mut Conn,
    coop: CooperativeId,
) -> Result<CollectibilityThresholds> {
    match store::thresholds(conn, coop).await? {
        None => Ok(CollectibilityThresholds::default()),
        Some(t) => {
            let day = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
            CollectibilityThresholds::new(
                day(t.kurang_lancar_after),
                day(t.diragukan_after),
                day(t.macet_after),
            )
            .map_err(|e| crate::ServiceError::Internal(format!("stored thresholds: {e}")))
        }
    }
}

/// Makes sure the settings row exists (numbering lives there), with the defaults.
pub(crate) async fn ensure_settings(conn: &mut Conn, coop: CooperativeId) -> Result<()> {
    store::ensure_settings(
        conn,
        coop,
        to_store(CollectibilityThresholds::default()),
        now_ms(),
    )
    .await?;
    Ok(())
}

pub async fn thresholds(db: &Db, actor: &Actor) -> Result<CollectibilityThresholds> {
    actor.require(Action::ViewMembers)?;
    thresholds_in(&mut *db.conn().await?, actor.cooperative_id).await
}

/// Sets the day thresholds: a loan is kurang lancar once its oldest unpaid instalment
/// is more than `kurang_lancar_after` days late, and so on.
pub async fn set_thresholds(
    db: &Db,
    actor: &Actor,
    kurang_lancar_after: i64,
    diragukan_after: i64,
    macet_after: i64,
) -> Result<CollectibilityThresholds> {
    actor.require(Action::ApproveLoans)?;
    let day = |n: i64, field: &'static str| {
        u32::try_from(n)
            .ok()
            .filter(|d| *d <= 3_650)
            .ok_or_else(|| invalid(field, "0 to 3650 days"))
    };
    let t = CollectibilityThresholds::new(
        day(kurang_lancar_after, "kurang_lancar_after")?,
        day(diragukan_after, "diragukan_after")?,
        day(macet_after, "macet_after")?,
    )
    .map_err(|e| invalid("thresholds", e.to_string()))?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    ensure_settings(&mut tx, coop).await?;
    store::set_thresholds(&mut tx, coop, to_store(t), now_ms()).await?;
    record(
        &mut tx,
        actor,
        "loan.thresholds_set",
        "loan_settings",
        &format!(
            "kurang lancar after {} days, diragukan after {}, macet after {}",
            t.kurang_lancar_after(),
            t.diragukan_after(),
            t.macet_after()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}
