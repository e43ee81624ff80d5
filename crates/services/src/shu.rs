//! SHU (sisa hasil usaha) per fiscal year: the RAT's allocation, a preview of every
//! member's share, the one posting, and each member's slip.
//!
//! The surplus is the year's income statement (revenue less expense), split between
//! members and non-members as the income statement does (`reports::SurplusSplit`).
//! Each member's basis is read from the ledger's member-attributed lines:
//!
//! - jasa modal: simpanan pokok + wajib at year end (credit − debit of the member's
//!   lines on the two savings accounts dated on or before 31 December);
//! - jasa anggota: the member's transactions in the year: loan interest, provisi and
//!   administration fees, and sales to members (credit − debit of the member's lines
//!   on those revenue accounts dated in the year).
//!
//! `domain::money::compute_shu` splits the pools and the shares (rounding down; the
//! reserve takes what is left). The posting is one transaction with two entries dated
//! 31 December: the closing of every revenue and expense account into SHU Tahun
//! Berjalan, and the distribution of that to the reserve, the funds, and every
//! member's share into Utang SHU with the member on their line. The books are then
//! closed through that day. Rules and reasons: docs/MONEY.md, "SHU".

use crate::ledger::{self, Ledger, Posting, SHU_KINDS, Source, cooperative_today, load_read};
use crate::reports::{self, SurplusSplit};
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::money::shu::{MemberShuBasis, ShuPoolKind, ShuPoolShare};
use guyub_domain::money::{
    AccountCode, JournalDraft, Rate, Rupiah, ShuAllocation, ShuInput, compute_shu,
};
use guyub_domain::{Action, CooperativeId, Date, MemberId};
use guyub_store::shu::{self as store, RunRow, ShareRow};
use guyub_store::{Conn, Db, now_ms};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A pool of the allocation with the account it is credited to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSetting {
    pub name: String,
    pub kind: ShuPoolKind,
    pub rate: Rate,
    pub account: String,
}

/// A year's allocation: the saved one, or the example split when none is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationSetting {
    pub year: i32,
    pub pools: Vec<PoolSetting>,
    pub saved: bool,
    pub updated_by: Option<String>,
}

impl AllocationSetting {
    fn domain(&self) -> Result<ShuAllocation> {
        ShuAllocation::new(
            self.pools
                .iter()
                .map(|p| ShuPoolShare {
                    name: p.name.clone(),
                    kind: p.kind,
                    rate: p.rate,
                })
                .collect(),
        )
        .map_err(|e| invalid("pools", e.to_string()))
    }
}

/// A pool as typed on the form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct PoolInput {
    pub name: String,
    /// `cadangan`, `jasa_modal`, `jasa_anggota` or `other`.
    pub kind: String,
    /// A percentage: `25`, `2,5`, `2.5%`.
    pub percent: String,
    /// For `other` pools: the account credited (a fund); left empty, a pool named
    /// like one of the default funds takes that fund's account.
    pub account: String,
}

fn parse_kind(raw: &str) -> Option<ShuPoolKind> {
    Some(
        match raw
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "cadangan" => ShuPoolKind::Cadangan,
            "jasa_modal" => ShuPoolKind::JasaModal,
            "jasa_anggota" => ShuPoolKind::JasaAnggota,
            "other" | "lain" | "dana" => ShuPoolKind::Other,
            _ => return None,
        },
    )
}

/// The fund account a pool's name points to in the default chart's mapping.
fn fund_for(ledger: &Ledger, name: &str) -> Option<AccountCode> {
    let n = name.to_lowercase();
    let s = &ledger.system;
    [
        ("pengurus", &s.fund_pengurus),
        ("karyawan", &s.fund_karyawan),
        ("pendidikan", &s.fund_pendidikan),
        ("sosial", &s.fund_sosial),
        ("pembangunan", &s.fund_pembangunan_daerah),
    ]
    .into_iter()
    .find(|(word, _)| n.contains(word))
    .map(|(_, code)| code.clone())
}

fn account_for(ledger: &Ledger, kind: ShuPoolKind, name: &str, typed: &str) -> Result<String> {
    let code = match kind {
        ShuPoolKind::Cadangan => ledger.system.reserve.clone(),
        ShuPoolKind::JasaModal | ShuPoolKind::JasaAnggota => ledger.system.shu_payable.clone(),
        ShuPoolKind::Other => match typed.trim() {
            "" => fund_for(ledger, name).ok_or_else(|| {
                invalid(
                    "pools",
                    format!("pool {name}: choose the account it is credited to"),
                )
            })?,
            t => {
                AccountCode::parse(t).map_err(|e| invalid("pools", format!("pool {name}: {e}")))?
            }
        },
    };
    let a = ledger
        .account(&code)
        .map_err(|e| invalid("pools", format!("pool {name}: {e}")))?;
    if kind == ShuPoolKind::Other && !matches!(a.kind.as_str(), "liability" | "equity") {
        return Err(invalid(
            "pools",
            format!(
                "pool {name}: account {code} is a {} account; a fund is a liability or equity",
                a.kind
            ),
        ));
    }
    Ok(code.as_str().to_string())
}

fn example(ledger: &Ledger, year: i32) -> AllocationSetting {
    let pools = ShuAllocation::example()
        .pools()
        .iter()
        .map(|p| PoolSetting {
            account: account_for(ledger, p.kind, &p.name, "").unwrap_or_default(),
            name: p.name.clone(),
            kind: p.kind,
            rate: p.rate,
        })
        .collect();
    AllocationSetting {
        year,
        pools,
        saved: false,
        updated_by: None,
    }
}

fn check_year(year: i32) -> Result<(Date, Date)> {
    reports::fiscal_year(year)
        .filter(|_| (1900..=2200).contains(&year))
        .ok_or_else(|| invalid("year", "a year between 1900 and 2200"))
}

async fn load_allocation(
    conn: &mut Conn,
    ledger: &Ledger,
    coop: CooperativeId,
    year: i32,
) -> Result<AllocationSetting> {
    match store::allocation(conn, coop, i64::from(year)).await? {
        Some(row) => Ok(AllocationSetting {
            year,
            pools: serde_json::from_str(&row.pools)
                .map_err(|e| ServiceError::Internal(format!("SHU allocation: {e}")))?,
            saved: true,
            updated_by: Some(row.updated_by),
        }),
        None => Ok(example(ledger, year)),
    }
}

/// The allocation of a year (the example split until the RAT's is saved).
pub async fn allocation(db: &Db, actor: &Actor, year: i32) -> Result<AllocationSetting> {
    actor.require(Action::ViewReports)?;
    check_year(year)?;
    let mut conn = db.conn().await?;
    let ledger = load_read(&mut conn, db, actor.cooperative_id).await?;
    load_allocation(&mut conn, &ledger, actor.cooperative_id, year).await
}

/// Saves the RAT's allocation for a year. Rows with neither a name nor a percentage
/// are skipped (the form has spare rows). Refused when the percentages do not add up to
/// 100, when a required pool is missing or doubled, or when the year is posted.
pub async fn set_allocation(
    db: &Db,
    actor: &Actor,
    year: i32,
    pools: &[PoolInput],
) -> Result<AllocationSetting> {
    actor.require(Action::ManageShu)?;
    check_year(year)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let ledger = Ledger::load(&mut tx, coop).await?;
    if store::run(&mut tx, coop, i64::from(year)).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "the SHU of {year} is already posted; its allocation cannot change"
        )));
    }
    let mut settings = Vec::new();
    for (i, p) in pools.iter().enumerate() {
        let name = p.name.trim();
        if name.is_empty() && p.percent.trim().is_empty() {
            continue;
        }
        if name.is_empty() || name.chars().count() > 80 {
            return Err(invalid(
                "pools",
                format!("row {}: a name of 1 to 80 characters", i + 1),
            ));
        }
        let kind = parse_kind(&p.kind).ok_or_else(|| {
            invalid(
                "pools",
                format!("pool {name}: kind is cadangan, jasa_modal, jasa_anggota or other"),
            )
        })?;
        let rate =
            Rate::parse(&p.percent).map_err(|e| invalid("pools", format!("pool {name}: {e}")))?;
        settings.push(PoolSetting {
            account: account_for(&ledger, kind, name, &p.account)?,
            name: name.to_string(),
            kind,
            rate,
        });
    }
    if settings.len() > 30 {
        return Err(invalid("pools", "at most 30 pools"));
    }
    let setting = AllocationSetting {
        year,
        pools: settings,
        saved: true,
        updated_by: Some(actor.label()),
    };
    setting.domain()?;
    let json =
        serde_json::to_string(&setting.pools).map_err(|e| ServiceError::Internal(e.to_string()))?;
    store::save_allocation(
        &mut tx,
        coop,
        i64::from(year),
        &json,
        &actor.label(),
        now_ms(),
    )
    .await?;
    let summary = setting
        .pools
        .iter()
        .map(|p| format!("{} {}", p.name, p.rate))
        .collect::<Vec<_>>()
        .join(", ");
    record(
        &mut tx,
        actor,
        "shu.allocation_set",
        &format!("shu:{year}"),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(setting)
}

/// A pool and what it receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolLine {
    pub name: String,
    pub kind: ShuPoolKind,
    pub rate: Rate,
    pub account: String,
    pub amount: i64,
}

/// One member's basis and share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberLine {
    pub member_id: i64,
    pub member_no: String,
    pub name: String,
    pub savings_capital: i64,
    pub transactions: i64,
    pub jasa_modal: i64,
    pub jasa_anggota: i64,
    pub total: i64,
}

/// The SHU of a year: computed now (a preview) or as posted.
#[derive(Debug, Clone)]
pub struct ShuView {
    pub year: i32,
    pub allocation: AllocationSetting,
    /// The year's revenue less expense.
    pub surplus: i64,
    pub split: SurplusSplit,
    pub surplus_members: i64,
    pub surplus_non_members: i64,
    pub pools: Vec<PoolLine>,
    pub jasa_modal_undistributed: i64,
    pub jasa_anggota_undistributed: i64,
    /// Cadangan pool + non-member surplus + what rounding left.
    pub reserve_total: i64,
    pub total_capital: i64,
    pub total_transactions: i64,
    pub members: Vec<MemberLine>,
    /// Set once posted.
    pub posted: Option<RunRow>,
}

impl ShuView {
    pub fn shares_total(&self) -> i64 {
        self.members.iter().map(|m| m.total).sum()
    }
}

/// The parts of the computation the posting needs as well.
struct Computed {
    view: ShuView,
    /// Revenue and expense amounts per account for the closing entry.
    closing: Vec<(AccountCode, i64, bool)>,
}

async fn compute(
    conn: &mut Conn,
    ledger: &Ledger,
    allocation: AllocationSetting,
    year: i32,
) -> Result<Computed> {
    let (start, end) = check_year(year)?;
    let coop = ledger.cooperative_id;
    let amounts = reports::operating_amounts(conn, ledger, start, end).await?;
    let split = reports::split_surplus(ledger, &amounts)?;
    let mut closing = Vec::new();
    let mut surplus = 0i64;
    for a in ledger.chart() {
        let Some(&amount) = amounts.get(&a.id) else {
            continue;
        };
        if amount == 0 {
            continue;
        }
        let code =
            AccountCode::parse(&a.code).map_err(|e| ServiceError::Internal(e.to_string()))?;
        match a.kind.as_str() {
            "revenue" => {
                surplus += amount;
                closing.push((code, amount, true));
            }
            "expense" => {
                surplus -= amount;
                closing.push((code, amount, false));
            }
            _ => {}
        }
    }
    if surplus <= 0 {
        return Err(invalid(
            "year",
            format!(
                "{year} has no surplus to share (revenue less expense is {}); the RAT decides how a loss is covered",
                Rupiah::new(surplus)
            ),
        ));
    }
    // A loss on one side is borne by the other: nothing negative is shared or reserved.
    let (surplus_members, surplus_non_members) = if split.surplus_non_members < 0 {
        (surplus, 0)
    } else if split.surplus_members < 0 {
        (0, surplus)
    } else {
        (split.surplus_members, split.surplus_non_members)
    };

    // Each member's basis from the ledger's member-attributed lines.
    let account_id = |code: &AccountCode| ledger.account(code).map(|a| a.id);
    let s = &ledger.system;
    let capital = store::member_sums(
        conn,
        coop,
        &[account_id(&s.savings_pokok)?, account_id(&s.savings_wajib)?],
        0,
        end.as_number(),
    )
    .await?;
    let mut trade_accounts = Vec::new();
    for code in [
        &s.interest_income_member,
        &s.provisi_income,
        &s.admin_income,
        &s.sales_member,
    ] {
        // A cooperative without a shop may have switched sales off: nothing to count.
        if let Ok(id) = account_id(code) {
            trade_accounts.push(id);
        }
    }
    let trade = store::member_sums(
        conn,
        coop,
        &trade_accounts,
        start.as_number(),
        end.as_number(),
    )
    .await?;
    let mut basis: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (m, v) in &capital {
        basis.entry(*m).or_default().0 = (*v).max(0);
    }
    for (m, v) in &trade {
        basis.entry(*m).or_default().1 = (*v).max(0);
    }
    basis.retain(|_, (c, t)| *c > 0 || *t > 0);
    let ids: Vec<i64> = basis.keys().copied().collect();
    let labels = store::member_labels(conn, coop, &ids).await?;
    // Only this cooperative's members share (a line can name no one else).
    basis.retain(|m, _| labels.contains_key(m));
    let input = ShuInput {
        surplus_from_members: Rupiah::new(surplus_members),
        surplus_from_non_members: Rupiah::new(surplus_non_members),
        members: basis
            .iter()
            .map(|(m, (c, t))| MemberShuBasis {
                member_id: MemberId(*m),
                savings_capital: Rupiah::new(*c),
                transactions: Rupiah::new(*t),
            })
            .collect(),
    };
    let domain = allocation.domain()?;
    let result = compute_shu(&domain, &input).map_err(|e| invalid("year", e.to_string()))?;
    let pools = result
        .pools
        .iter()
        .zip(&allocation.pools)
        .map(|(p, setting)| PoolLine {
            name: p.name.clone(),
            kind: p.kind,
            rate: p.rate,
            account: setting.account.clone(),
            amount: p.amount.get(),
        })
        .collect();
    let members = result
        .per_member
        .iter()
        .zip(&input.members)
        .map(|(share, b)| {
            let (no, name) = labels.get(&share.member_id.0).cloned().unwrap_or_default();
            MemberLine {
                member_id: share.member_id.0,
                member_no: no,
                name,
                savings_capital: b.savings_capital.get(),
                transactions: b.transactions.get(),
                jasa_modal: share.jasa_modal.get(),
                jasa_anggota: share.jasa_anggota.get(),
                total: share.total.get(),
            }
        })
        .collect();
    let view = ShuView {
        year,
        allocation,
        surplus,
        split,
        surplus_members,
        surplus_non_members,
        pools,
        jasa_modal_undistributed: result.jasa_modal_undistributed.get(),
        jasa_anggota_undistributed: result.jasa_anggota_undistributed.get(),
        reserve_total: result.reserve_total.get(),
        total_capital: input.members.iter().map(|m| m.savings_capital.get()).sum(),
        total_transactions: input.members.iter().map(|m| m.transactions.get()).sum(),
        members,
        posted: None,
    };
    Ok(Computed { view, closing })
}

/// The SHU as posted, read back from the run and the stored shares.
async fn posted_view(conn: &mut Conn, coop: CooperativeId, run: RunRow) -> Result<ShuView> {
    let year = run.year as i32;
    let pools: Vec<PoolLine> = serde_json::from_str(&run.pools)
        .map_err(|e| ServiceError::Internal(format!("SHU run pools: {e}")))?;
    let shares = store::shares(conn, coop, run.year).await?;
    let ids: Vec<i64> = shares.iter().map(|s| s.member_id).collect();
    let labels = store::member_labels(conn, coop, &ids).await?;
    let members = shares
        .into_iter()
        .map(|s| {
            let (no, name) = labels.get(&s.member_id).cloned().unwrap_or_default();
            MemberLine {
                member_id: s.member_id,
                member_no: no,
                name,
                savings_capital: s.savings_capital,
                transactions: s.transactions,
                jasa_modal: s.jasa_modal,
                jasa_anggota: s.jasa_anggota,
                total: s.total,
            }
        })
        .collect::<Vec<_>>();
    let pool = |kind| {
        pools
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.amount)
            .sum::<i64>()
    };
    let modal_paid: i64 = members.iter().map(|m| m.jasa_modal).sum();
    let anggota_paid: i64 = members.iter().map(|m| m.jasa_anggota).sum();
    Ok(ShuView {
        year,
        allocation: AllocationSetting {
            year,
            pools: pools
                .iter()
                .map(|p| PoolSetting {
                    name: p.name.clone(),
                    kind: p.kind,
                    rate: p.rate,
                    account: p.account.clone(),
                })
                .collect(),
            saved: true,
            updated_by: Some(run.posted_by.clone()),
        },
        surplus: run.surplus,
        split: SurplusSplit::default(),
        surplus_members: run.surplus_members,
        surplus_non_members: run.surplus_non_members,
        jasa_modal_undistributed: pool(ShuPoolKind::JasaModal) - modal_paid,
        jasa_anggota_undistributed: pool(ShuPoolKind::JasaAnggota) - anggota_paid,
        pools,
        reserve_total: run.reserve_total,
        total_capital: run.total_capital,
        total_transactions: run.total_transactions,
        members,
        posted: Some(run),
    })
}

/// The SHU of a year: as posted, or else a preview computed from the ledger now.
pub async fn preview(db: &Db, actor: &Actor, year: i32) -> Result<ShuView> {
    actor.require(Action::ViewReports)?;
    check_year(year)?;
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let ledger = load_read(&mut conn, db, coop).await?;
    if let Some(run) = store::run(&mut conn, coop, i64::from(year)).await? {
        let mut view = posted_view(&mut conn, coop, run).await?;
        // The income statement of the year still shows the split (closing set aside).
        let (start, end) = check_year(year)?;
        let amounts = reports::operating_amounts(&mut conn, &ledger, start, end).await?;
        view.split = reports::split_surplus(&ledger, &amounts)?;
        return Ok(view);
    }
    let allocation = load_allocation(&mut conn, &ledger, coop, year).await?;
    Ok(compute(&mut conn, &ledger, allocation, year).await?.view)
}

/// Posts the SHU of a finished year, once: the closing entry, the distribution entry,
/// the run and the shares, the members' timelines, the books closed through the
/// year's end, and the audit entry, in one transaction.
pub async fn post(db: &Db, actor: &Actor, year: i32) -> Result<ShuView> {
    actor.require(Action::ManageShu)?;
    let (_, end) = check_year(year)?;
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let today = cooperative_today(&mut tx, coop).await?;
    if today <= end {
        return Err(invalid(
            "year",
            format!("the fiscal year {year} is not over until {end} ends"),
        ));
    }
    if store::run(&mut tx, coop, i64::from(year)).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "the SHU of {year} is already posted"
        )));
    }
    let ledger = Ledger::load(&mut tx, coop).await?;
    let allocation = load_allocation(&mut tx, &ledger, coop, year).await?;
    let Computed { mut view, closing } = compute(&mut tx, &ledger, allocation, year).await?;
    let system = &ledger.system;

    // 1. Close every revenue and expense account into SHU Tahun Berjalan.
    let mut draft = JournalDraft::new(format!(
        "Penutupan pendapatan dan beban tahun {year} ke SHU tahun berjalan"
    ));
    for (code, amount, revenue) in &closing {
        // A revenue account's credit balance is closed by a debit (and the reverse
        // for a rare debit balance); expenses the other way round.
        let size = Rupiah::new(amount.abs());
        draft = match (*revenue, *amount < 0) {
            (true, false) | (false, true) => draft.debit(code, size),
            (true, true) | (false, false) => draft.credit(code, size),
        };
    }
    draft = draft.credit(&system.shu_current_year, Rupiah::new(view.surplus));
    let closing_entry = draft.build().map_err(|e| invalid("year", e.to_string()))?;
    let closing_ids = ledger::post(
        &mut tx,
        &ledger,
        &actor.label(),
        &[Posting {
            date: end,
            entry: &closing_entry,
            source: Source {
                kind: SHU_KINDS[0],
                id: Some(i64::from(year)),
            },
            member: None,
            reverses: None,
        }],
    )
    .await?;

    // 2. Distribute: reserve, funds, and each member's share into Utang SHU.
    let mut draft = JournalDraft::new(format!("Pembagian SHU tahun {year}"))
        .debit(&system.shu_current_year, Rupiah::new(view.surplus));
    let mut members: Vec<Option<MemberId>> = vec![None];
    draft = draft.credit(&system.reserve, Rupiah::new(view.reserve_total));
    if view.reserve_total > 0 {
        members.push(None);
    }
    for p in view.pools.iter().filter(|p| p.kind == ShuPoolKind::Other) {
        let code = AccountCode::parse(&p.account).map_err(|e| invalid("pools", e.to_string()))?;
        draft = draft.credit(&code, Rupiah::new(p.amount));
        if p.amount > 0 {
            members.push(None);
        }
    }
    for m in &view.members {
        draft = draft.credit(&system.shu_payable, Rupiah::new(m.total));
        if m.total > 0 {
            members.push(Some(MemberId(m.member_id)));
        }
    }
    let distribution = draft.build().map_err(|e| invalid("year", e.to_string()))?;
    let distribution_id = ledger::post_with_line_members(
        &mut tx,
        &ledger,
        &actor.label(),
        &Posting {
            date: end,
            entry: &distribution,
            source: Source {
                kind: SHU_KINDS[1],
                id: Some(i64::from(year)),
            },
            member: None,
            reverses: None,
        },
        &members,
    )
    .await?;

    let now = now_ms();
    let run = RunRow {
        year: i64::from(year),
        pools: serde_json::to_string(&view.pools)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        surplus: view.surplus,
        surplus_members: view.surplus_members,
        surplus_non_members: view.surplus_non_members,
        reserve_total: view.reserve_total,
        jasa_modal_pool: view
            .pools
            .iter()
            .filter(|p| p.kind == ShuPoolKind::JasaModal)
            .map(|p| p.amount)
            .sum(),
        jasa_anggota_pool: view
            .pools
            .iter()
            .filter(|p| p.kind == ShuPoolKind::JasaAnggota)
            .map(|p| p.amount)
            .sum(),
        total_capital: view.total_capital,
        total_transactions: view.total_transactions,
        members: view.members.len() as i64,
        closing_entry_id: closing_ids[0],
        distribution_entry_id: distribution_id,
        posted_by: actor.label(),
        posted_at: now,
    };
    store::insert_run(&mut tx, coop, &run).await?;
    let shares: Vec<ShareRow> = view
        .members
        .iter()
        .map(|m| ShareRow {
            member_id: m.member_id,
            savings_capital: m.savings_capital,
            transactions: m.transactions,
            jasa_modal: m.jasa_modal,
            jasa_anggota: m.jasa_anggota,
            total: m.total,
        })
        .collect();
    store::insert_shares(&mut tx, coop, i64::from(year), &shares).await?;
    let timeline: Vec<(i64, String)> = view
        .members
        .iter()
        .filter(|m| m.total > 0)
        .map(|m| {
            (
                m.member_id,
                format!(
                    "SHU {year}: {} (jasa modal {}, jasa anggota {})",
                    Rupiah::new(m.total),
                    Rupiah::new(m.jasa_modal),
                    Rupiah::new(m.jasa_anggota)
                ),
            )
        })
        .collect();
    let timeline: Vec<(MemberId, &str, &str)> = timeline
        .iter()
        .map(|(m, s)| (MemberId(*m), "shu", s.as_str()))
        .collect();
    guyub_store::members::add_to_timelines(&mut tx, coop, now, &timeline).await?;
    // Nothing may change the year once its SHU is shared out.
    guyub_store::ledger::close_through(&mut tx, coop, end.as_number()).await?;
    record(
        &mut tx,
        actor,
        "shu.posted",
        &format!("shu:{year}"),
        &format!(
            "surplus {} (members {}, non-members {}), {} members, shares {}, reserve {}",
            Rupiah::new(view.surplus),
            Rupiah::new(view.surplus_members),
            Rupiah::new(view.surplus_non_members),
            view.members.len(),
            Rupiah::new(view.shares_total()),
            Rupiah::new(view.reserve_total)
        ),
    )
    .await?;
    tx.commit().await?;
    view.posted = Some(run);
    Ok(view)
}

/// One member's SHU slip for a year.
#[derive(Debug, Clone)]
pub struct Slip {
    pub year: i32,
    pub member_id: i64,
    pub member_no: String,
    pub name: String,
    pub savings_capital: i64,
    pub transactions: i64,
    pub total_capital: i64,
    pub total_transactions: i64,
    pub jasa_modal_pool: i64,
    pub jasa_anggota_pool: i64,
    pub jasa_modal: i64,
    pub jasa_anggota: i64,
    pub total: i64,
    pub posted: bool,
}

pub async fn slip(db: &Db, actor: &Actor, year: i32, member: MemberId) -> Result<Slip> {
    actor.require(Action::ViewReports)?;
    check_year(year)?;
    let coop = actor.cooperative_id;
    let m = {
        let mut conn = db.conn().await?;
        guyub_store::members::get(&mut conn, coop, member).await?
    };
    let view = preview(db, actor, year).await?;
    let line = view.members.iter().find(|l| l.member_id == member.0);
    let pool = |kind| {
        view.pools
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.amount)
            .sum::<i64>()
    };
    Ok(Slip {
        year,
        member_id: member.0,
        member_no: m.member_no,
        name: m.fields.name,
        savings_capital: line.map_or(0, |l| l.savings_capital),
        transactions: line.map_or(0, |l| l.transactions),
        total_capital: view.total_capital,
        total_transactions: view.total_transactions,
        jasa_modal_pool: pool(ShuPoolKind::JasaModal),
        jasa_anggota_pool: pool(ShuPoolKind::JasaAnggota),
        jasa_modal: line.map_or(0, |l| l.jasa_modal),
        jasa_anggota: line.map_or(0, |l| l.jasa_anggota),
        total: line.map_or(0, |l| l.total),
        posted: view.posted.is_some(),
    })
}

/// Shares by member id, for pages that show one member among many.
pub fn by_member(view: &ShuView) -> HashMap<i64, &MemberLine> {
    view.members.iter().map(|m| (m.member_id, m)).collect()
}
