//! `guyub savings bill-wajib|post-jasa`: the monthly simpanan jobs, for cron or a person.
//! Both are idempotent: running one twice for a month changes nothing the second time.

use anyhow::anyhow;
use clap::Subcommand;
use guyub_services::Actor;
use guyub_services::savings::{Failure, jobs};
use guyub_store::Db;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum SavingsCmd {
    /// Bill simpanan wajib for a month to every calon anggota and anggota who has no
    /// bill for it yet (run again: only those who became due since).
    BillWajib {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        /// The month, YYYY-MM (not after the current month).
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
    /// Post jasa simpanan on sukarela for a month that is over (daily-balance method),
    /// once per month.
    PostJasa {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        /// The month, YYYY-MM (before the current month).
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
}

impl SavingsCmd {
    pub fn cooperative(&self) -> &str {
        match self {
            SavingsCmd::BillWajib { cooperative, .. }
            | SavingsCmd::PostJasa { cooperative, .. } => cooperative,
        }
    }
}

/// A refusal names the command-line option at fault.
fn explain(e: Failure) -> anyhow::Error {
    match e {
        Failure::Refused(r) if r.field() == "month" => anyhow!("--month: {r}"),
        other => anyhow!("{other}"),
    }
}

pub async fn run(cmd: SavingsCmd, db: &Db, actor: &Actor) -> anyhow::Result<ExitCode> {
    match cmd {
        SavingsCmd::BillWajib { month, .. } => {
            let run = jobs::bill_wajib(db, actor, &month).await.map_err(explain)?;
            println!(
                "simpanan wajib {}: {} bills of {} made ({} paid at once from wajib paid ahead); total {}",
                run.month, run.created, run.amount, run.paid_ahead, run.total
            );
        }
        SavingsCmd::PostJasa { month, .. } => {
            let run = jobs::post_jasa_simpanan(db, actor, &month)
                .await
                .map_err(explain)?;
            if run.already {
                println!(
                    "jasa simpanan {} was posted before: {} members, {}; nothing posted now",
                    run.month, run.members, run.total
                );
            } else if run.rate.is_zero() {
                println!(
                    "jasa simpanan {}: the rate is 0%, nothing to post (set it in the savings settings)",
                    run.month
                );
            } else {
                println!(
                    "jasa simpanan {} at {} a year: {} members credited, {}",
                    run.month, run.rate, run.members, run.total
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
