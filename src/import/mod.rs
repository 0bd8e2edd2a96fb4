//! Imports: a supporter's history from Patreon, Open Collective, Liberapay, Ko-fi, GitHub
//! Sponsors, or Coffer's own CSV exports. One reader per platform turns rows into the ledger's
//! drafts ([`facts`]). Every row of the file is checked first, in a streaming pass, and any
//! refusal writes nothing and names the line, the column and the rule. Then one write through
//! the write unit records the file in a second streaming pass (a third for refunds, which may
//! come before the payment they refund), with the file's SHA-256 in the audit record.
//!
//! Imports are idempotent: entries and pledges are keyed by (source, external reference), so
//! the same file twice changes nothing, and a newer export updates pledges and adds only the new
//! payments. Imported donations get no Coffer receipt and send no mail: the platform has
//! already receipted them.

mod apply;
mod coffer_csv;
pub mod command;
pub mod facts;
mod github;
mod kofi;
mod liberapay;
mod opencollective;
mod patreon;
mod report;
pub mod table;

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::domain::{Email, Source};
use crate::error::AppError;
use crate::ledger::write::{Actor, Recorded, WriteUnit};
use facts::Facts;
pub use report::Report;
use table::{Columns, Row, RowError, Table};

/// A reader: one row of its platform's export into facts.
type ReadRow = fn(&Row) -> Result<Facts, RowError>;

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Patreon,
    OpenCollective,
    Liberapay,
    Kofi,
    GitHubSponsors,
    /// Coffer's own `ledger.csv` or `donors.csv`.
    Csv,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Self::Patreon,
        Self::OpenCollective,
        Self::Liberapay,
        Self::Kofi,
        Self::GitHubSponsors,
        Self::Csv,
    ];

    /// The name on the command line and in the console's form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patreon => "patreon",
            Self::OpenCollective => "opencollective",
            Self::Liberapay => "liberapay",
            Self::Kofi => "kofi",
            Self::GitHubSponsors => "github-sponsors",
            Self::Csv => "csv",
        }
    }

    /// What the treasurer exports on the platform.
    pub fn label(self) -> &'static str {
        match self {
            Self::Patreon => "Patreon: members export",
            Self::OpenCollective => "Open Collective: transactions CSV",
            Self::Liberapay => "Liberapay: patrons export",
            Self::Kofi => "Ko-fi: transactions CSV",
            Self::GitHubSponsors => "GitHub Sponsors: sponsorships export",
            Self::Csv => "Coffer: ledger.csv or donors.csv",
        }
    }

    pub fn parse(value: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == value.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "format",
                    format!(
                        "“{value}” is not one of: {}",
                        Self::ALL.map(Format::as_str).join(", ")
                    ),
                )
            })
    }

    /// Where the rows' money came through (Coffer's own CSV names it per row).
    fn source(self) -> Source {
        match self {
            Self::Patreon => Source::Patreon,
            Self::OpenCollective => Source::OpenCollective,
            Self::Liberapay => Source::Liberapay,
            Self::Kofi => Source::Kofi,
            Self::GitHubSponsors => Source::GitHub,
            Self::Csv => Source::Manual,
        }
    }

    /// The reader for a file of this format with this header.
    fn reader(self, columns: &Columns) -> Result<ReadRow, RowError> {
        let (required, read, what): (&[&str], ReadRow, &str) = match self {
            Self::Patreon => (patreon::COLUMNS, patreon::read, "Patreon's members export"),
            Self::OpenCollective => (
                opencollective::COLUMNS,
                opencollective::read,
                "Open Collective's transactions export",
            ),
            Self::Liberapay => (
                liberapay::COLUMNS,
                liberapay::read,
                "Liberapay's patrons export",
            ),
            Self::Kofi => (kofi::COLUMNS, kofi::read, "Ko-fi's transactions export"),
            Self::GitHubSponsors => (github::COLUMNS, github::read, "GitHub Sponsors' export"),
            Self::Csv if columns.has("kind") => (
                coffer_csv::LEDGER_COLUMNS,
                coffer_csv::read_entry,
                "Coffer's ledger.csv",
            ),
            Self::Csv => (
                coffer_csv::DONOR_COLUMNS,
                coffer_csv::read_donor,
                "Coffer's donors.csv",
            ),
        };
        columns.require(required, what)?;
        Ok(read)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file to import: its format, where it is, and the name to report it by.
#[derive(Debug, Clone)]
pub struct ImportFile<'a> {
    pub format: Format,
    pub path: &'a Path,
    pub name: String,
}

/// Shows how far a pass through the file has come (a terminal's progress line); silent by
/// default.
pub trait Progress {
    fn pass(&self, _name: &'static str, _total_bytes: u64) {}
    fn at(&self, _bytes: u64) {}
    fn done(&self) {}
}

/// A progress that shows nothing.
pub struct Silent;
impl Progress for Silent {}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Rows were refused; the first few, in file order.
    #[error("{}", refusal(.file, .errors, *.more))]
    Refused {
        file: String,
        errors: Vec<RowError>,
        /// How many more refusals there were beyond those listed.
        more: u64,
    },
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error(transparent)]
    App(#[from] AppError),
}

fn refusal(file: &str, errors: &[RowError], more: u64) -> String {
    let first = errors.first().map(ToString::to_string).unwrap_or_default();
    let others = errors.len() as u64 - 1 + more;
    match others {
        0 => format!("{file}: {first}; nothing was imported"),
        n => format!("{file}: {first} (and {n} more); nothing was imported"),
    }
}

/// How many refusals a report lists; the rest are counted.
const LISTED_REFUSALS: usize = 20;
/// How often, in rows, the progress line moves.
const PROGRESS_EVERY: u64 = 2_000;

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn open(file: &ImportFile) -> Result<(Hashing<std::fs::File>, u64), ImportError> {
    let opened = std::fs::File::open(file.path).map_err(|e| ImportError::File {
        file: file.name.clone(),
        message: format!("cannot be opened: {e}"),
    })?;
    let size = opened.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((
        Hashing {
            inner: opened,
            hasher: Sha256::new(),
        },
        size,
    ))
}

/// Reads every row of the file through its reader, giving each row's facts to `each`. Returns
/// the file's SHA-256 and the number of rows. Stops at the first error of `each`.
fn for_each_row<E>(
    file: &ImportFile,
    progress: &dyn Progress,
    pass: &'static str,
    mut each: impl FnMut(u64, Result<Facts, RowError>) -> Result<(), E>,
) -> Result<Result<(String, u64), E>, ImportError> {
    let refused = |e: RowError| ImportError::Refused {
        file: file.name.clone(),
        errors: vec![e],
        more: 0,
    };
    let (input, size) = open(file)?;
    progress.pass(pass, size);
    let mut table = Table::open(input).map_err(refused)?;
    let read = file.format.reader(&table.columns).map_err(refused)?;
    let mut rows = 0u64;
    loop {
        let (line, facts) = match table.next_row() {
            None => break,
            Some(Ok(row)) => (row.line, read(&row)),
            Some(Err(e)) => (e.line, Err(e)),
        };
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            progress.at(table.position());
        }
        if let Err(e) = each(line, facts) {
            return Ok(Err(e));
        }
    }
    progress.done();
    let hashing = table.into_inner();
    Ok(Ok((hex::encode(hashing.hasher.finalize()), rows)))
}

/// Checks every row without writing: the refusals, or the file's SHA-256 and row count.
pub fn validate(file: &ImportFile, progress: &dyn Progress) -> Result<(String, u64), ImportError> {
    let mut errors = Vec::new();
    let mut more = 0u64;
    let checked = for_each_row(file, progress, "checking", |_, facts| {
        if let Err(e) = facts {
            if errors.len() < LISTED_REFUSALS {
                errors.push(e);
            } else {
                more += 1;
            }
        }
        Ok::<(), ()>(())
    })?;
    if !errors.is_empty() {
        return Err(ImportError::Refused {
            file: file.name.clone(),
            errors,
            more,
        });
    }
    Ok(checked.unwrap_or_default())
}

/// Imports a file as `actor`: checks every row, then records it in one write through the write
/// unit. With `dry_run`, the write is made and rolled back, so the report says exactly what the
/// import would create, update and pass over, and nothing is kept.
pub fn run(
    conn: &mut DbConn,
    writes: &WriteUnit,
    actor: Actor,
    file: &ImportFile,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<Report, ImportError> {
    let (sha256, rows) = validate(file, progress)?;
    let mut outcome: Option<Result<Report, ImportError>> = None;
    let mut kept_nothing = false;
    let result = writes.apply(conn, actor, "import", None, |conn| {
        let written = apply::write(conn, file, &sha256, progress);
        let report = match written {
            Ok(mut report) => {
                report.rows = rows;
                report.dry_run = dry_run;
                report
            }
            Err(e) => {
                outcome = Some(Err(e));
                return Err(AppError::Conflict("the import was refused".to_owned()));
            }
        };
        // A file already imported changes nothing, and leaves no audit record either.
        if dry_run || !report.changes_anything() {
            outcome = Some(Ok(report));
            kept_nothing = true;
            return Err(AppError::Conflict("nothing to keep".to_owned()));
        }
        let body = serde_json::to_value(&report)
            .map_err(|e| AppError::Internal(format!("serialising an import report: {e}")))?;
        outcome = Some(Ok(report));
        Ok(Recorded {
            status: 201,
            detail: Some(format!(
                "{} {} sha256:{sha256} {}",
                file.format, file.name, body
            )),
            body,
            subject: format!("import:{}", file.format),
        })
    });
    match (result, outcome) {
        (_, Some(Err(e))) => Err(e),
        (Ok(_), Some(Ok(report))) => Ok(report),
        (Err(_), Some(Ok(report))) if kept_nothing => Ok(report),
        (Err(e), _) => Err(e.into()),
        (Ok(_), None) => Err(AppError::Internal("the import made no report".to_owned()).into()),
    }
}

/// An optional email cell, checked.
fn optional_email(row: &Row, column: &str) -> Result<Option<Email>, RowError> {
    match row.text(column) {
        "" => Ok(None),
        value => Email::parse(value)
            .map(Some)
            .map_err(|e| row.error(column, e.to_string())),
    }
}

/// A supporter's name from `column`, or `fallback` when it is empty; checked as every name.
fn supporter_name(row: &Row, column: &str, fallback: &str) -> Result<String, RowError> {
    let value = match row.text(column) {
        "" => fallback,
        value => value,
    };
    crate::ledger::required_text(column, value, 200).map_err(|e| match e {
        AppError::Invalid { message, .. } => row.error(column, message),
        other => row.error(column, other.to_string()),
    })
}
