//! `guyub member import|export`: the member registry as CSV from the command line.

use anyhow::{Context, anyhow};
use clap::Subcommand;
use guyub_services::Actor;
use guyub_services::import::{self, ImportOptions};
use guyub_store::Db;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum MemberCmd {
    /// Import members from a CSV file (UTF-8; columns in docs/MEMBER_CSV.md). The whole
    /// file is checked first; nothing is written while any row is bad, unless --skip-bad.
    Import {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        /// The CSV file, or - for standard input.
        file: PathBuf,
        /// Check the file and report every bad row; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows even when some rows are bad.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Export every member as CSV (the import's columns). Audited.
    Export {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub async fn run(cmd: MemberCmd, db: &Db, actor: &Actor) -> anyhow::Result<ExitCode> {
    match cmd {
        MemberCmd::Import {
            file,
            dry_run,
            skip_bad,
            ..
        } => {
            let bytes = if file.as_os_str() == "-" {
                let mut b = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut b)
                    .context("cannot read standard input")?;
                b
            } else {
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?
            };
            let opts = ImportOptions { dry_run, skip_bad };
            let started = std::time::Instant::now();
            let progress = |done: usize, total: usize| {
                eprint!("\rwriting members: {done}/{total}");
                if done == total {
                    eprintln!();
                }
            };
            let report = import::import_members(db, actor, &bytes, &opts, &progress)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            for e in &report.errors {
                eprintln!("line {}, {}: {}", e.line, e.field, e.message);
            }
            let bad_rows = {
                let mut lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
                lines.dedup();
                lines.len()
            };
            println!(
                "{} rows read, {} valid, {} bad; {} imported{} in {:.1} s",
                report.rows,
                report.valid,
                bad_rows,
                report.imported,
                if dry_run { " (dry run)" } else { "" },
                started.elapsed().as_secs_f64()
            );
            if !report.errors.is_empty() && report.imported == 0 && !dry_run && !skip_bad {
                eprintln!(
                    "nothing was imported: fix the rows above, or use --skip-bad to import the good rows only"
                );
            }
            Ok(if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        MemberCmd::Export { output, .. } => {
            let csv = import::export_members(db, actor)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            match output {
                Some(path) => std::fs::write(&path, &csv)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().write_all(&csv)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl MemberCmd {
    pub fn cooperative(&self) -> &str {
        match self {
            MemberCmd::Import { cooperative, .. } | MemberCmd::Export { cooperative, .. } => {
                cooperative
            }
        }
    }
}
