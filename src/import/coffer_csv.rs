//! Coffer's own exports read back: `ledger.csv` and `donors.csv` (see `reports::export` for
//! their columns), told apart by their header. Rows keep the ids they had, so exporting,
//! importing into an empty database and exporting again gives the same files. A row whose id
//! is already recorded is passed over. Import `donors.csv` before `ledger.csv`: entries name
//! their donors by id. Pledges and tiers are not in the exports, so an entry naming a pledge,
//! or a donor pinned to a tier, needs that pledge or tier to exist already.

use chrono::NaiveDateTime;

use super::facts::{DonorRow, Facts, LedgerRow};
use super::table::{Row, RowError};
use crate::db::{donors::NewDonor, ledger::NewEntry};
use crate::domain::{
    Consent, Currency, Email, EntryKind, FediverseHandle, Source, TypedAmount, WebUrl,
};

pub const LEDGER_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "occurred_at",
    "recorded_at",
    "amount",
    "currency",
    "donor_id",
    "pledge_id",
    "source",
    "external_ref",
    "reverses",
    "category",
    "memo",
];

pub const DONOR_COLUMNS: &[&str] = &[
    "id",
    "public_name",
    "legal_name",
    "email",
    "website",
    "fediverse_handle",
    "anonymous",
    "consent_name",
    "consent_logo",
    "consent_link",
    "consent_handle",
    "consent_amount",
    "pinned_tier_id",
    "created_at",
    "erased",
];

/// Text as it was before the export defused it for spreadsheets (a leading `'`).
fn text(row: &Row, column: &str) -> String {
    let value = row.text(column);
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => value.to_owned(),
    }
}

fn optional_text(row: &Row, column: &str, max: usize) -> Result<Option<String>, RowError> {
    let value = text(row, column);
    if value.is_empty() {
        return Ok(None);
    }
    crate::ledger::clean_text(column, &value, max)
        .map(Some)
        .map_err(|e| row.error(column, rule_of(e)))
}

fn rule_of(err: crate::error::AppError) -> String {
    match err {
        crate::error::AppError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

fn id(row: &Row, column: &str) -> Result<Option<i64>, RowError> {
    let value = row.text(column);
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<i64>() {
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(row.error(
            column,
            format!("“{value}” is not an id (a whole number above 0)"),
        )),
    }
}

fn required_id(row: &Row, column: &str) -> Result<i64, RowError> {
    id(row, column)?.ok_or_else(|| row.error(column, "must not be empty"))
}

/// Coffer's own times: `2026-11-24T13:05:00.000000Z`, kept to the microsecond.
fn time(row: &Row, column: &str) -> Result<NaiveDateTime, RowError> {
    let value = row.required(column)?;
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|t| crate::db::truncate_to_micros(t.naive_utc()))
        .map_err(|_| {
            row.error(
                column,
                format!("“{value}” is not a time like 2026-11-24T13:05:00Z"),
            )
        })
}

pub fn read_entry(row: &Row) -> Result<Facts, RowError> {
    let id = required_id(row, "id")?;
    let kind =
        EntryKind::parse(row.required("kind")?).map_err(|e| row.error("kind", e.to_string()))?;
    let currency: Currency = row.currency("currency")?;
    // Coffer writes a plain signed decimal; a spreadsheet may have regrouped it, and then an
    // ambiguous figure is refused as TypedAmount refuses it, never guessed.
    let raw = row.required("amount")?;
    let amount = TypedAmount::parse_signed(raw)
        .and_then(|t| t.in_currency(currency))
        .map_err(|e| row.error("amount", e.to_string()))?;
    let sign_ok = match kind {
        EntryKind::Donation => amount.is_positive(),
        EntryKind::Refund | EntryKind::Fee | EntryKind::Expense => amount.is_negative(),
        EntryKind::Correction => amount.minor() != 0,
    };
    if !sign_ok {
        return Err(row.error(
            "amount",
            format!("“{raw}” has the wrong sign for a {kind} (money in is positive, out negative)"),
        ));
    }
    let occurred_at = time(row, "occurred_at")?;
    crate::ledger::entries::check_date("occurred_at", occurred_at)
        .map_err(|e| row.error("occurred_at", rule_of(e)))?;
    let reverses = id_of(row, "reverses")?;
    if reverses.is_some() != matches!(kind, EntryKind::Refund | EntryKind::Correction) {
        return Err(row.error(
            "reverses",
            "only refunds and corrections name the entry they reverse, and they always do",
        ));
    }
    let category = optional_text(row, "category", 100)?;
    if kind == EntryKind::Expense && category.is_none() {
        return Err(row.error("category", "an expense must have a category"));
    }
    let source =
        Source::parse(row.required("source")?).map_err(|e| row.error("source", e.to_string()))?;
    Ok(Facts::Ledger(Box::new(LedgerRow {
        id,
        entry: NewEntry {
            kind: kind.as_str().to_owned(),
            amount: amount.minor(),
            currency: currency.code().to_owned(),
            donor_id: id_of(row, "donor_id")?,
            pledge_id: id_of(row, "pledge_id")?,
            occurred_at,
            recorded_at: time(row, "recorded_at")?,
            source: source.as_str().to_owned(),
            external_ref: optional_text(row, "external_ref", 255)?,
            reverses,
            category,
            memo: optional_text(row, "memo", 2000)?.unwrap_or_default(),
        },
    })))
}

fn id_of(row: &Row, column: &str) -> Result<Option<i64>, RowError> {
    id(row, column)
}

pub fn read_donor(row: &Row) -> Result<Facts, RowError> {
    let id = required_id(row, "id")?;
    let public_name = crate::ledger::required_text("public_name", &text(row, "public_name"), 200)
        .map_err(|e| row.error("public_name", rule_of(e)))?;
    let email = match text(row, "email") {
        e if e.is_empty() => None,
        e => Some(Email::parse(&e).map_err(|err| row.error("email", err.to_string()))?),
    };
    let website = match text(row, "website") {
        w if w.is_empty() => None,
        w => Some(WebUrl::parse(&w).map_err(|err| row.error("website", err.to_string()))?),
    };
    let handle = match text(row, "fediverse_handle") {
        h if h.is_empty() => None,
        h => Some(
            FediverseHandle::parse(&h)
                .map_err(|err| row.error("fediverse_handle", err.to_string()))?,
        ),
    };
    let consent = Consent {
        name: row.flag("consent_name")?,
        logo: row.flag("consent_logo")?,
        link: row.flag("consent_link")?,
        handle: row.flag("consent_handle")?,
        amount: row.flag("consent_amount")?,
    };
    Ok(Facts::Donor(Box::new(DonorRow {
        id,
        donor: NewDonor {
            public_name,
            legal_name: optional_text(row, "legal_name", 200)?,
            email: email.map(|e| e.as_str().to_owned()),
            website: website.map(|w| w.as_str().to_owned()),
            fediverse_handle: handle.map(|h| h.as_str().to_owned()),
            logo_path: None,
            consent_name: consent.name,
            consent_logo: consent.logo,
            consent_link: consent.link,
            consent_handle: consent.handle,
            consent_amount: consent.amount,
            anonymous: row.flag("anonymous")?,
            locale: None,
            created_at: time(row, "created_at")?,
        },
        pinned_tier_id: id_of(row, "pinned_tier_id")?,
        erased: row.flag("erased")?,
    })))
}
