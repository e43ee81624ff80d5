//! Member import and export as CSV. An import is checked whole before anything is
//! written: every bad row is reported with its line number and reason, and by default
//! nothing is imported until the file is clean (`skip_bad` imports the good rows only).
//! The write is one transaction, so an import is all there or not there at all.
//! Columns are described in `docs/MEMBER_CSV.md`.

use crate::members::{MemberInput, parse_input};
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::{Action, MemberStatus};
use guyub_store::Db;
use guyub_store::members::{self, MemberFields};
use std::collections::HashMap;

/// Every column the importer knows, in export order.
pub const COLUMNS: &[&str] = &[
    "member_no",
    "nik",
    "name",
    "gender",
    "birth_date",
    "birth_place",
    "phones",
    "email",
    "province",
    "regency",
    "district",
    "village",
    "street",
    "occupation",
    "status",
    "joined_on",
];

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check only; write nothing.
    pub dry_run: bool,
    /// Import the good rows even if some are bad.
    pub skip_bad: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows without errors.
    pub valid: usize,
    pub errors: Vec<RowError>,
    /// Members written (0 on a dry run or when errors stopped the import).
    pub imported: usize,
    pub dry_run: bool,
}

/// Something wrong with the file as a whole (encoding, header): nothing is read.
fn file_error(message: String) -> ServiceError {
    invalid("file", message)
}

/// Decodes the bytes as UTF-8 (a BOM is dropped), naming the line of the first bad byte.
fn decode(bytes: &[u8]) -> Result<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        file_error(format!(
            "line {line}: the file is not UTF-8 text; save it as \"CSV UTF-8\" and try again"
        ))
    })
}

/// `,` unless the header line has more `;` (spreadsheets in Indonesian locales).
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// One checked row, ready to write.
struct Good {
    line: u64,
    member_no: Option<String>,
    fields: MemberFields,
    status: MemberStatus,
}

/// Imports members from CSV text. `progress(done, total)` is called as rows are written.
pub async fn import_members(
    db: &Db,
    actor: &Actor,
    bytes: &[u8],
    opts: &ImportOptions,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<ImportReport> {
    actor.require(Action::ManageMembers)?;
    let text = decode(bytes)?;
    // The csv crate counts lines one short on CR LF endings (rust-csv#395), and
    // spreadsheets and browsers write CR LF: read LF only, so line numbers are right.
    let owned;
    let text = if text.contains('\r') {
        owned = text.replace("\r\n", "\n");
        owned.as_str()
    } else {
        text
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| file_error(format!("line 1: cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(file_error(format!(
                "line 1: unknown column \"{h}\"; known columns are {}",
                COLUMNS.join(", ")
            )));
        }
        if index.insert(h.clone(), i).is_some() {
            return Err(file_error(format!("line 1: column \"{h}\" appears twice")));
        }
    }
    if !index.contains_key("name") {
        return Err(file_error("line 1: the column \"name\" is required".into()));
    }
    let coop = actor.cooperative_id;
    let (taken_niks, taken_nos) = members::taken_keys(&mut *db.conn().await?, coop).await?;
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let mut good: Vec<Good> = Vec::new();
    let mut seen_nik: HashMap<String, u64> = HashMap::new();
    let mut seen_no: HashMap<String, u64> = HashMap::new();
    let mut record_buf = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record_buf) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                report.rows += 1;
                report.errors.push(RowError {
                    line,
                    field: "row".into(),
                    message: match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => {
                            format!("has {len} fields, the header has {expected_len}")
                        }
                        _ => e.to_string(),
                    },
                });
                continue;
            }
        }
        let line = record_buf.position().map(|p| p.line()).unwrap_or(line);
        if record_buf.iter().all(str::is_empty) {
            continue;
        }
        report.rows += 1;
        let get = |c: &str| -> Option<String> {
            index
                .get(c)
                .and_then(|&i| record_buf.get(i))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let input = MemberInput {
            member_no: get("member_no"),
            nik: get("nik"),
            name: get("name").unwrap_or_default(),
            gender: get("gender"),
            birth_date: get("birth_date"),
            birth_place: get("birth_place"),
            phones: get("phones")
                .map(|p| p.split([';', '|', '/']).map(str::to_string).collect())
                .unwrap_or_default(),
            email: get("email"),
            province: get("province"),
            regency: get("regency"),
            district: get("district"),
            village: get("village"),
            street: get("street"),
            occupation: get("occupation"),
            status: get("status"),
            joined_on: get("joined_on"),
        };
        let before = report.errors.len();
        match parse_input(&input, MemberStatus::Anggota) {
            Ok((member_no, fields, status)) => {
                if let Some(nik) = &fields.nik {
                    if taken_niks.contains(nik) {
                        report.errors.push(row_err(
                            line,
                            "nik",
                            "a member with this NIK is already registered",
                        ));
                    } else if let Some(first) = seen_nik.insert(nik.clone(), line) {
                        report.errors.push(row_err(
                            line,
                            "nik",
                            &format!("the same NIK is on line {first}"),
                        ));
                    }
                }
                if let Some(no) = &member_no {
                    if taken_nos.contains(no) {
                        report.errors.push(row_err(
                            line,
                            "member_no",
                            "this member number is already taken",
                        ));
                    } else if let Some(first) = seen_no.insert(no.clone(), line) {
                        report.errors.push(row_err(
                            line,
                            "member_no",
                            &format!("the same member number is on line {first}"),
                        ));
                    }
                }
                if report.errors.len() == before {
                    good.push(Good {
                        line,
                        member_no,
                        fields,
                        status,
                    });
                }
            }
            Err(errs) => {
                for (field, message) in errs {
                    report.errors.push(row_err(line, field, &message));
                }
            }
        }
    }
    report.valid = good.len();
    if opts.dry_run || (!report.errors.is_empty() && !opts.skip_bad) || good.is_empty() {
        return Ok(report);
    }
    write(db, actor, good, &mut report, progress).await?;
    Ok(report)
}

fn row_err(line: u64, field: &str, message: &str) -> RowError {
    RowError {
        line,
        field: field.into(),
        message: message.into(),
    }
}

async fn write(
    db: &Db,
    actor: &Actor,
    good: Vec<Good>,
    report: &mut ImportReport,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<()> {
    let coop = actor.cooperative_id;
    let total = good.len();
    let mut tx = db.begin_write().await?;
    let unnumbered = good.iter().filter(|g| g.member_no.is_none()).count() as i64;
    let (format, mut next) = members::take_numbers(&mut tx, coop, unnumbered.max(0)).await?;
    // Numbers given in the file that fit the format move the sequence past them.
    let mut highest_given = 0;
    let mut rows = Vec::with_capacity(total);
    for g in good {
        let no = match g.member_no {
            Some(no) => {
                if let Some(n) = format.number_of(&no) {
                    highest_given = highest_given.max(n);
                }
                no
            }
            None => {
                let no = format.format(next);
                next += 1;
                no
            }
        };
        let _ = g.line;
        rows.push((no, g.fields, g.status.as_str().to_string()));
    }
    if highest_given > 0 {
        members::bump_numbering_past(&mut tx, coop, highest_given).await?;
    }
    const CHUNK: usize = 2_000;
    let mut done = 0;
    for chunk in rows.chunks(CHUNK) {
        members::insert_batch(&mut tx, coop, chunk).await?;
        done += chunk.len();
        progress(done, total);
    }
    record(
        &mut tx,
        actor,
        "members.imported",
        "members",
        &format!("count={done} skipped_rows={}", report.rows - done),
    )
    .await?;
    tx.commit().await?;
    report.imported = done;
    Ok(())
}

/// Writes every member as CSV (the import's columns), audited. NIKs appear in full:
/// only roles that may see them may export.
pub async fn export_members(db: &Db, actor: &Actor) -> Result<Vec<u8>> {
    actor.require(Action::ExportMembers)?;
    actor.require(Action::ViewNik)?;
    let coop = actor.cooperative_id;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut count = 0usize;
    {
        let mut conn = db.conn().await?;
        members::for_each(&mut conn, coop, |m| {
            count += 1;
            let f = &m.fields;
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            out.write_record([
                m.member_no.clone(),
                o(&f.nik),
                f.name.clone(),
                o(&f.gender),
                o(&f.birth_date),
                o(&f.birth_place),
                f.phones.join(";"),
                o(&f.email),
                o(&f.province),
                o(&f.regency),
                o(&f.district),
                o(&f.village),
                o(&f.street),
                o(&f.occupation),
                m.status.clone(),
                o(&f.joined_on),
            ])
            .map_err(|e| e.to_string())
        })
        .await?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut tx = db.begin_write().await?;
    record(
        &mut tx,
        actor,
        "members.exported",
        "members",
        &format!("count={count}"),
    )
    .await?;
    tx.commit().await?;
    Ok(bytes)
}
