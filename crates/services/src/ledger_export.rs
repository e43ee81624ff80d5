//! The journal exported as CSV (one row per line) or as beancount plain text that
//! beancount's own checker (`bean-check`) accepts. Both are read page by page, so a
//! large journal streams out without being held in memory.
//!
//! Beancount account names: the kind gives the root (`Assets`, `Liabilities`,
//! `Equity`, `Income`, `Expenses`), then one component `K<code>-<name>`: a `K` (a
//! component must start with a capital letter or a digit), the account code, and the
//! Indonesian name with every run of characters other than ASCII letters and digits
//! made one dash: `1-1100 Kas` is `Assets:K1-1100-Kas`, `4-1500 Penjualan kepada
//! Anggota` is `Income:K4-1500-Penjualan-kepada-Anggota`. Codes are unique, so names
//! are. Debits are positive amounts, credits negative, in `IDR`.

use crate::ledger::load_read;
use crate::{Actor, Result, ServiceError, record};
use guyub_domain::{AccountId, Action, CooperativeId, Date};
use guyub_store::Db;
use guyub_store::ledger::{self as store, AccountRow};
use std::collections::HashMap;

/// Entries read per page.
const PAGE: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Beancount,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Beancount => "beancount",
        }
    }
}

/// The CSV header.
pub const CSV_COLUMNS: [&str; 8] = [
    "entry_no",
    "date",
    "memo",
    "account_code",
    "account_name",
    "debit",
    "credit",
    "member_id",
];

/// The beancount name of an account (see the module header).
pub fn beancount_account(a: &AccountRow) -> String {
    let root = match a.kind.as_str() {
        "asset" => "Assets",
        "liability" => "Liabilities",
        "equity" => "Equity",
        "revenue" => "Income",
        _ => "Expenses",
    };
    let mut name = String::new();
    for c in a.name_id.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-');
    let code: String = a
        .code
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    if name.is_empty() {
        format!("{root}:K{code}")
    } else {
        format!("{root}:K{code}-{name}")
    }
}

/// A beancount string literal.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A spreadsheet must not run a cell as a formula.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn date_of(n: i64) -> String {
    Date::from_number(n)
        .map(|d| d.to_string())
        .unwrap_or_else(|| n.to_string())
}

/// A journal export in progress: call [`JournalExport::next_chunk`] until it gives
/// `None`.
pub struct JournalExport {
    db: Db,
    coop: CooperativeId,
    format: ExportFormat,
    from: i64,
    to: i64,
    after: i64,
    accounts: HashMap<AccountId, AccountRow>,
    header: Option<String>,
    done: bool,
}

impl JournalExport {
    /// Starts an export of the entries dated within the range (all when open-ended);
    /// the export is audited.
    pub async fn start(
        db: &Db,
        actor: &Actor,
        format: ExportFormat,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<JournalExport> {
        actor.require(Action::ViewLedger)?;
        let coop = actor.cooperative_id;
        let from = from.map(Date::as_number).unwrap_or(0);
        let to = to.map(Date::as_number).unwrap_or(99_991_231);
        if from > to {
            return Err(crate::invalid("from", "the start is after the end"));
        }
        let mut conn = db.conn().await?;
        let ledger = load_read(&mut conn, db, coop).await?;
        let accounts: HashMap<AccountId, AccountRow> = ledger
            .chart()
            .into_iter()
            .map(|a| (a.id, a.clone()))
            .collect();
        let header = match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                w.write_record(CSV_COLUMNS)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                csv_string(w)?
            }
            ExportFormat::Beancount => {
                let coop_row = guyub_store::cooperatives::get(&mut conn, coop).await?;
                let mut out = format!(
                    "; Guyub journal export: {}\noption \"title\" {}\noption \"operating_currency\" \"IDR\"\n\n",
                    coop_row.name.replace(['\n', '\r'], " "),
                    quoted(&coop_row.name)
                );
                let mut opens: Vec<(i64, &AccountRow)> =
                    store::first_days(&mut conn, coop, from, to)
                        .await?
                        .into_iter()
                        .filter_map(|(id, day)| accounts.get(&id).map(|a| (day, a)))
                        .collect();
                opens.sort_by(|a, b| (a.0, &a.1.code).cmp(&(b.0, &b.1.code)));
                for (day, a) in opens {
                    out.push_str(&format!(
                        "{} open {} IDR\n",
                        date_of(day),
                        beancount_account(a)
                    ));
                }
                out.push('\n');
                out
            }
        };
        drop(conn);
        let mut tx = db.begin_write().await?;
        record(
            &mut tx,
            actor,
            "ledger.exported",
            "journal",
            &format!("{} {} to {}", format.as_str(), date_of(from), date_of(to)),
        )
        .await?;
        tx.commit().await?;
        Ok(JournalExport {
            db: db.clone(),
            coop,
            format,
            from,
            to,
            after: 0,
            accounts,
            header: Some(header),
            done: false,
        })
    }

    /// The next piece of the file, `None` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<String>> {
        if let Some(h) = self.header.take() {
            return Ok(Some(h));
        }
        if self.done {
            return Ok(None);
        }
        let mut conn = self.db.conn().await?;
        let page =
            store::export_page(&mut conn, self.coop, self.from, self.to, self.after, PAGE).await?;
        drop(conn);
        if (page.len() as i64) < PAGE {
            self.done = true;
        }
        let Some(last) = page.last() else {
            return Ok(None);
        };
        self.after = last.0.id.0;
        let missing = || ServiceError::Internal("a line's account is missing".into());
        let out = match self.format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                for (e, lines) in &page {
                    let date = date_of(e.date);
                    let memo = cell(&e.memo);
                    for l in lines {
                        let a = self.accounts.get(&l.account_id).ok_or_else(missing)?;
                        w.write_record([
                            e.entry_no.to_string(),
                            date.clone(),
                            memo.clone(),
                            a.code.clone(),
                            cell(&a.name_id),
                            l.debit.to_string(),
                            l.credit.to_string(),
                            l.member_id.map(|m| m.to_string()).unwrap_or_default(),
                        ])
                        .map_err(|e| ServiceError::Internal(e.to_string()))?;
                    }
                }
                csv_string(w)?
            }
            ExportFormat::Beancount => {
                let mut out = String::with_capacity(page.len() * 200);
                for (e, lines) in &page {
                    out.push_str(&format!(
                        "{} * {}\n  entry_no: {}\n  source: {}\n",
                        date_of(e.date),
                        quoted(&e.memo),
                        e.entry_no,
                        quoted(&e.source_kind)
                    ));
                    for l in lines {
                        let a = self.accounts.get(&l.account_id).ok_or_else(missing)?;
                        let amount = l.debit - l.credit;
                        out.push_str(&format!("  {}  {amount} IDR\n", beancount_account(a)));
                        if let Some(m) = l.member_id {
                            out.push_str(&format!("    member_id: {m}\n"));
                        }
                    }
                    out.push('\n');
                }
                out
            }
        };
        Ok(Some(out))
    }

    /// The whole export as one string (tests, small ledgers).
    pub async fn collect(mut self) -> Result<String> {
        let mut out = String::new();
        while let Some(chunk) = self.next_chunk().await? {
            out.push_str(&chunk);
        }
        Ok(out)
    }
}

fn csv_string(w: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = w
        .into_inner()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(code: &str, name: &str, kind: &str) -> AccountRow {
        AccountRow {
            id: AccountId(1),
            code: code.into(),
            name_id: name.into(),
            name_en: name.into(),
            kind: kind.into(),
            parent_code: None,
            is_group: false,
            contra: false,
            active: true,
        }
    }

    #[test]
    fn beancount_names_are_valid_components() {
        assert_eq!(
            beancount_account(&account("1-1100", "Kas", "asset")),
            "Assets:K1-1100-Kas"
        );
        assert_eq!(
            beancount_account(&account("4-1500", "Penjualan kepada Anggota", "revenue")),
            "Income:K4-1500-Penjualan-kepada-Anggota"
        );
        assert_eq!(
            beancount_account(&account(
                "5-3400",
                "Beban Layanan (QRIS) & Marketplace",
                "expense"
            )),
            "Expenses:K5-3400-Beban-Layanan-QRIS-Marketplace"
        );
        assert_eq!(
            beancount_account(&account("2-1100", "Simpanan Sukarela — café", "liability")),
            "Liabilities:K2-1100-Simpanan-Sukarela-caf"
        );
        assert_eq!(
            beancount_account(&account("3-9", "!!!", "equity")),
            "Equity:K3-9"
        );
    }

    #[test]
    fn strings_and_cells_are_escaped() {
        assert_eq!(quoted("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c d\"");
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("Kas"), "Kas");
    }
}
