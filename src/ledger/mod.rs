//! Ledger services: the rules for recording tiers, donors, pledges and money movements, and the
//! reports derived from them. Each write takes a connection already inside a transaction, so a
//! refused request leaves nothing behind.

pub mod donors;
pub mod entries;
pub mod pledges;
pub mod tiers;
pub mod tokens;
pub mod wall;

use crate::domain::{Currency, Money};
use crate::error::{AppError, AppResult};

/// Reads a stored amount back into `Money`; a bad row is an internal error, not the user's.
pub(crate) fn stored_money(minor: i64, currency: &str) -> AppResult<Money> {
    let currency = Currency::parse(currency)
        .map_err(|e| AppError::Internal(format!("stored currency: {e}")))?;
    Money::from_minor(minor, currency)
        .map_err(|e| AppError::Internal(format!("stored amount: {e}")))
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
    Ok(value.to_owned())
}

/// Like [`clean_text`] but refuses an empty value.
pub(crate) fn required_text(field: &str, value: &str, max_chars: usize) -> AppResult<String> {
    let value = clean_text(field, value, max_chars)?;
    if value.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    Ok(value)
}
