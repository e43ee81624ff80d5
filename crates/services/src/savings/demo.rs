//! Savings for the demo cooperative: settings, six months of simpanan pokok, wajib
//! (some members behind) and sukarela movements, the wajib bills of those months and
//! last month's jasa simpanan, all made through the use cases so that the ledger,
//! timelines and audit log agree with the balances.

use super::jobs;
use super::{MovementIn, SettingsInput};
use crate::{Actor, Result, ServiceError};
use guyub_domain::money::{Rupiah, YearMonth};
use guyub_domain::{Date, MemberId};
use guyub_store::Db;

/// Months of wajib each demo member is behind (by position in the demo's list).
const BEHIND: [u32; 8] = [0, 2, 0, 1, 0, 3, 0, 0];

/// `k` months before `m`.
fn months_back(m: YearMonth, k: u32) -> YearMonth {
    let n = i64::from(m.year()) * 12 + i64::from(m.month()) - 1 - i64::from(k);
    YearMonth::new((n / 12) as i32, (n % 12 + 1) as u8).unwrap_or(m)
}

fn day(m: YearMonth, d: u8) -> Date {
    Date {
        year: m.year(),
        month: m.month(),
        day: d.min(m.days()),
    }
}

fn fail(e: super::Failure) -> ServiceError {
    e.into()
}

/// Gives the demo members savings. `members` are the demo's members in order; all
/// are still calon anggota or anggota when this runs.
pub async fn load(db: &Db, actor: &Actor, members: &[MemberId]) -> Result<()> {
    super::set_settings(
        db,
        actor,
        &SettingsInput {
            pokok_amount: "100000",
            wajib_monthly: "50000",
            sukarela_rate: "3",
            sukarela_minimum: "10000",
        },
    )
    .await
    .map_err(fail)?;
    let today =
        crate::ledger::cooperative_today(&mut *db.conn().await?, actor.cooperative_id).await?;
    let current = YearMonth::from(today);
    let first = months_back(current, 5);
    let movement = |m: MemberId, kind: &'static str, amount: i64, date: Date| MovementIn {
        member: m,
        kind,
        amount: Rupiah::new(amount),
        date: Some(date),
        note: "",
        request_key: None,
    };
    for (i, &m) in members.iter().enumerate() {
        let i32_ = i as u32;
        let start = day(first, 1 + i as u8);
        super::deposit(db, actor, &movement(m, "pokok", 100_000, start))
            .await
            .map_err(fail)?;
        // Wajib paid on the 12th of each earlier month, except the months behind.
        let behind = BEHIND.get(i).copied().unwrap_or(0);
        for k in (1 + behind..=5).rev() {
            let month = months_back(current, k);
            super::deposit(db, actor, &movement(m, "wajib", 50_000, day(month, 12)))
                .await
                .map_err(fail)?;
        }
        // Sukarela: an opening deposit, a withdrawal, a top-up.
        super::deposit(
            db,
            actor,
            &movement(m, "sukarela", 500_000 + 250_000 * i64::from(i32_), start),
        )
        .await
        .map_err(fail)?;
        if i % 2 == 0 {
            super::withdraw(
                db,
                actor,
                &movement(m, "sukarela", 100_000, day(months_back(current, 3), 10)),
            )
            .await
            .map_err(fail)?;
        }
        if i % 3 == 0 {
            super::deposit(
                db,
                actor,
                &movement(m, "sukarela", 150_000, day(months_back(current, 2), 5)),
            )
            .await
            .map_err(fail)?;
        }
    }
    for k in (0..=5).rev() {
        jobs::bill_wajib(db, actor, &months_back(current, k).to_string())
            .await
            .map_err(fail)?;
    }
    jobs::post_jasa_simpanan(db, actor, &months_back(current, 1).to_string())
        .await
        .map_err(fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_back_cross_years() {
        let m = YearMonth::parse("2026-02").unwrap();
        assert_eq!(months_back(m, 0).to_string(), "2026-02");
        assert_eq!(months_back(m, 1).to_string(), "2026-01");
        assert_eq!(months_back(m, 2).to_string(), "2025-12");
        assert_eq!(months_back(m, 14).to_string(), "2024-12");
        assert_eq!(day(m, 31).day, 28);
    }
}
