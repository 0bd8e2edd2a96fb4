//! CSV exports of the ledger and of donors, for a calendar year or for all time.
//!
//! The column names below are a stable interface (spreadsheets and bookkeeping scripts read
//! them): new columns may be added at the end, existing ones are never renamed or reordered.
//!
//! `ledger.csv`: `id, kind, occurred_at, recorded_at, amount, currency, donor_id, pledge_id,
//! source, external_ref, reverses, category, memo` — one row per entry, oldest first; amounts are
//! signed decimals (`-5.00` is money out), times RFC 3339 UTC, empty cells for absent values.
//!
//! `donors.csv`: `id, public_name, legal_name, email, website, fediverse_handle, anonymous,
//! consent_name, consent_logo, consent_link, consent_handle, consent_amount, pinned_tier_id,
//! created_at, erased, currency, donations, refunds, net` — one row per donor; the last four are
//! their entries in the period in the instance currency: donations, refunds (negative) and the
//! net of every entry of theirs (corrections included).
//!
//! Free text that a spreadsheet would run as a formula (a cell starting with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) is written with a leading `'`, so opening an export runs nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::{self, DbConn};
use crate::domain::{Currency, EntryKind, Money};
use crate::error::{AppError, AppResult};
use crate::ledger::donors::Donor;
use crate::ledger::entries::Entry;

/// The ledger export's columns, in order.
pub const LEDGER_COLUMNS: [&str; 13] = [
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

/// The donor export's columns, in order.
pub const DONOR_COLUMNS: [&str; 19] = [
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
    "currency",
    "donations",
    "refunds",
    "net",
];

/// A calendar year, or all time.
fn period(year: Option<i32>) -> AppResult<(NaiveDateTime, NaiveDateTime)> {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| AppError::invalid("year", format!("{y} is not a year Coffer knows")))
    };
    match year {
        Some(y) if (1970..=9998).contains(&y) => Ok((start(y)?, start(y + 1)?)),
        Some(y) => Err(AppError::invalid(
            "year",
            format!("{y} must be from 1970 to 9998"),
        )),
        None => Ok((start(1970)?, start(9999)?)),
    }
}

fn entries(conn: &mut DbConn, year: Option<i32>) -> AppResult<Vec<Entry>> {
    let (from, until) = period(year)?;
    db::ledger::between(conn, from, until)?
        .into_iter()
        .map(Entry::try_from)
        .collect()
}

fn time(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(T::to_string).unwrap_or_default()
}

/// Free text, defused for spreadsheets.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn opt_text(value: &Option<String>) -> String {
    value.as_deref().map(text).unwrap_or_default()
}

fn csv_error(err: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("writing CSV: {err}"))
}

/// The ledger (of a year, or all of it) as CSV.
pub fn ledger_csv(conn: &mut DbConn, year: Option<i32>) -> AppResult<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(LEDGER_COLUMNS).map_err(csv_error)?;
    for entry in entries(conn, year)? {
        out.write_record([
            entry.id.to_string(),
            entry.kind.as_str().to_owned(),
            time(&entry.occurred_at),
            time(&entry.recorded_at),
            entry.amount.amount_string(),
            entry.amount.currency().code().to_owned(),
            opt(&entry.donor_id),
            opt(&entry.pledge_id),
            entry.source.as_str().to_owned(),
            opt_text(&entry.external_ref),
            opt(&entry.reverses),
            opt_text(&entry.category),
            text(&entry.memo),
        ])
        .map_err(csv_error)?;
    }
    out.into_inner().map_err(csv_error)
}

#[derive(Default, Clone, Copy)]
struct Giving {
    donations: i64,
    refunds: i64,
    net: i64,
}

/// Every donor with their giving in the period (in the instance currency) as CSV.
pub fn donors_csv(conn: &mut DbConn, currency: Currency, year: Option<i32>) -> AppResult<Vec<u8>> {
    let mut giving: HashMap<i64, Giving> = HashMap::new();
    for entry in entries(conn, year)? {
        let Some(donor) = entry.donor_id else {
            continue;
        };
        if entry.amount.currency() != currency {
            continue;
        }
        let g = giving.entry(donor).or_default();
        let minor = entry.amount.minor();
        match entry.kind {
            EntryKind::Donation => g.donations = g.donations.saturating_add(minor),
            EntryKind::Refund => g.refunds = g.refunds.saturating_add(minor),
            _ => {}
        }
        g.net = g.net.saturating_add(minor);
    }
    let donors: Vec<Donor> = db::donors::list(conn, 0, i64::MAX)?
        .into_iter()
        .map(Donor::from)
        .collect();
    let amount = |minor: i64| Money::from_minor(minor, currency).map(|m| m.amount_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(DONOR_COLUMNS).map_err(csv_error)?;
    for donor in donors {
        let g = giving.get(&donor.id).copied().unwrap_or_default();
        let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
        out.write_record([
            donor.id.to_string(),
            text(&donor.public_name),
            opt_text(&donor.legal_name),
            opt_text(&donor.email),
            opt_text(&donor.website),
            donor
                .fediverse_handle
                .as_ref()
                .map(|h| text(h.as_str()))
                .unwrap_or_default(),
            flag(donor.anonymous),
            flag(donor.consent.name),
            flag(donor.consent.logo),
            flag(donor.consent.link),
            flag(donor.consent.handle),
            flag(donor.consent.amount),
            opt(&donor.pinned_tier_id),
            time(&donor.created_at),
            flag(donor.erased),
            currency.code().to_owned(),
            amount(g.donations)?,
            amount(g.refunds)?,
            amount(g.net)?,
        ])
        .map_err(csv_error)?;
    }
    out.into_inner().map_err(csv_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_is_its_first_day_to_the_next_years() {
        let (from, until) = period(Some(2026)).unwrap();
        assert_eq!(from.to_string(), "2026-01-01 00:00:00");
        assert_eq!(until.to_string(), "2027-01-01 00:00:00");
        assert!(period(Some(1900)).is_err());
    }

    #[test]
    fn formulas_are_defused_and_plain_text_is_kept() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("Ada"), "Ada");
    }
}
