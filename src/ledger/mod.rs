//! Ledger services: the rules for recording tiers, donors, pledges and money movements, and the
//! reports derived from them. Each write takes a connection already inside a transaction, so a
//! refused request leaves nothing behind.

pub mod admins;
pub mod audit;
pub mod donors;
pub mod entries;
pub mod log;
pub mod logos;
pub mod payments;
pub mod pledges;
pub mod public_pages;
pub mod receipts;
pub mod self_service;
pub mod settings;
pub mod tiers;
pub mod tokens;
pub mod wall;
pub mod write;

use chrono::NaiveDateTime;

use crate::db::{self, ledger::EntryRow};
use crate::domain::{Currency, EntryKind, Money, Source};
use crate::error::{AppError, AppResult};

/// Reads a stored amount back into `Money`; a bad row is an internal error, not the user's.
pub(crate) fn stored_money(minor: i64, currency: &str) -> AppResult<Money> {
    let currency = Currency::parse(currency)
        .map_err(|e| AppError::Internal(format!("stored currency: {e}")))?;
    Money::from_minor(minor, currency)
        .map_err(|e| AppError::Internal(format!("stored amount: {e}")))
}

/// A ledger entry as the rest of the app sees it; `amount` is signed (+ in, − out).
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub kind: EntryKind,
    pub amount: Money,
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub source: Source,
    pub external_ref: Option<String>,
    pub reverses: Option<i64>,
    pub category: Option<String>,
    pub memo: String,
}

impl TryFrom<EntryRow> for Entry {
    type Error = AppError;
    fn try_from(row: EntryRow) -> AppResult<Self> {
        let internal =
            |e: crate::domain::DomainError| AppError::Internal(format!("stored entry: {e}"));
        Ok(Self {
            amount: stored_money(row.amount, &row.currency)?,
            kind: EntryKind::parse(&row.kind).map_err(internal)?,
            source: Source::parse(&row.source).map_err(internal)?,
            id: row.id,
            donor_id: row.donor_id,
            pledge_id: row.pledge_id,
            occurred_at: row.occurred_at,
            recorded_at: row.recorded_at,
            external_ref: row.external_ref,
            reverses: row.reverses,
            category: row.category,
            memo: row.memo,
        })
    }
}

/// The earliest date an entry may carry: Coffer records fediverse funding, which began later.
pub fn earliest_date() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// Checks the date a money movement happened: from 2000 on, and not in the future beyond a day
/// of slack (clocks and time zones); more than that is a typo in the year.
pub fn check_date(field: &str, at: NaiveDateTime) -> AppResult<NaiveDateTime> {
    if at < earliest_date() {
        return Err(AppError::invalid(field, "must not be before 2000-01-01"));
    }
    if at > db::now() + chrono::Duration::days(1) {
        return Err(AppError::invalid(field, "must not be in the future"));
    }
    Ok(db::truncate_to_micros(at))
}

/// Checks free text from a treasurer: trimmed, not empty when required, bounded.
pub(crate) fn clean_text(field: &str, value: &str, max_chars: usize) -> AppResult<String> {
    let value = value.trim();
    if value.chars().count() > max_chars {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    if let Some(c) = value.chars().find(|c| is_hidden_format_char(*c)) {
        return Err(AppError::invalid(
            field,
            format!(
                "must not contain invisible or text-direction characters (U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    Ok(value.to_owned())
}

/// Characters that change how surrounding text is shown without being seen themselves: bidi
/// embeddings, overrides and isolates, zero-width spaces, word joiners, the BOM, soft hyphens and
/// tag characters. A name holding one could disguise itself or reorder the text around it on the
/// wall. The zero-width (non-)joiners stay allowed: emoji sequences and Persian need them.
pub(crate) fn is_hidden_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// Like [`clean_text`] but refuses an empty value.
pub(crate) fn required_text(field: &str, value: &str, max_chars: usize) -> AppResult<String> {
    let value = clean_text(field, value, max_chars)?;
    if value.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_bidi_overrides_and_invisible_characters() {
        for hidden in [
            "Ada\u{202E}gnp.exe",
            "A\u{200B}da",
            "\u{2066}Ada",
            "Ada\u{FEFF}",
        ] {
            assert!(
                required_text("public_name", hidden, 100).is_err(),
                "{hidden:?}"
            );
        }
        for fine in ["Ada Lovelace", "👩\u{200D}💻 Ada", "مهر\u{200C}ناز", "Zoë"] {
            assert!(required_text("public_name", fine, 100).is_ok(), "{fine:?}");
        }
    }
}
