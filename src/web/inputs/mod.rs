//! What clients send to write: input structs shared by the JSON API and the console's forms,
//! a file per resource, each converting with `TryFrom` into a validated ledger draft. The
//! instance currency comes along where an input may leave the currency out. The conversions
//! that several resources share are here; the rules they check, stated once for the OpenAPI
//! document and the server alike, are in [`rules`].

mod donors;
mod ledger;
mod pledges;
pub mod rules;
mod tiers;

pub use donors::{pin, ConsentInput, DonorInput, DonorPatch, PinInput};
pub use ledger::{CorrectionInput, DonationInput, ExpenseInput, RefundInput};
pub use pledges::{PledgeInput, StatusInput};
pub use tiers::{TierInput, TierPatch};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::domain::{Currency, Money, Source};
use crate::error::{AppError, AppResult};
use crate::ledger::{clean_text, required_text};

/// An input together with the instance currency, which fills in a currency left out.
pub type WithCurrency<T> = (T, Currency);

/// A JSON integer, also when written with a zero fraction (`5.0`), which JSON Schema counts as
/// an integer too; anything else, or out of `T`'s range, is refused.
fn integer<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: TryFrom<i64>,
    D: Deserializer<'de>,
{
    let number = serde_json::Number::deserialize(deserializer)?;
    whole_number(&number).map_err(serde::de::Error::custom)
}

fn optional_integer<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: TryFrom<i64>,
    D: Deserializer<'de>,
{
    Option::<serde_json::Number>::deserialize(deserializer)?
        .map(|n| whole_number(&n).map_err(serde::de::Error::custom))
        .transpose()
}

fn whole_number<T: TryFrom<i64>>(number: &serde_json::Number) -> Result<T, String> {
    let value = match (number.as_i64(), number.as_f64()) {
        (Some(n), _) => Some(n),
        // 2^63 is exactly representable; every whole f64 below it fits an i64.
        (None, Some(f)) if f.fract() == 0.0 && f >= -(2f64.powi(63)) && f < 2f64.powi(63) => {
            Some(f as i64)
        }
        _ => None,
    };
    value
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("invalid value: {number}, expected an integer in range"))
}

fn currency_or_default(default: Currency, code: Option<&str>) -> AppResult<Currency> {
    match code {
        Some(code) => {
            rules::check_currency(code)?;
            Currency::parse(code).map_err(|e| AppError::invalid("currency", e.to_string()))
        }
        None => Ok(default),
    }
}

fn positive_amount(field: &str, input: &str, currency: Currency) -> AppResult<Money> {
    rules::AMOUNT_RULE.check(field, input)?;
    Money::parse_positive(input, currency).map_err(|e| AppError::invalid(field, e.to_string()))
}

fn occurred_at(field: &str, value: Option<DateTime<Utc>>) -> AppResult<Option<NaiveDateTime>> {
    value
        .map(|v| crate::ledger::check_date(field, v.naive_utc()))
        .transpose()
}

/// A word of a closed vocabulary, exactly as the document lists it (no case or space games).
fn vocabulary<T: Copy>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Result<T, crate::domain::DomainError>,
    as_str: fn(T) -> &'static str,
) -> AppResult<T> {
    match parse(value) {
        Ok(word) if as_str(word) == value => Ok(word),
        Ok(_) => Err(AppError::invalid(
            field,
            format!("“{value}” must be written exactly as listed"),
        )),
        Err(e) => Err(AppError::invalid(field, e.to_string())),
    }
}

fn source(value: Option<&str>) -> AppResult<Source> {
    value.map_or(Ok(Source::Manual), |s| {
        vocabulary("source", s, Source::parse, Source::as_str)
    })
}

fn external_ref(value: Option<String>) -> AppResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    Ok(Some(text(&rules::EXTERNAL_REF, "external_ref", &value)?))
}

/// Free text: the ledger's own checks (trimmed, bounded, no hidden characters), then the rule
/// the document states, on the text as sent.
fn text(rule: &rules::Rule, field: &str, value: &str) -> AppResult<String> {
    let cleaned = if rule.min_chars > 0 {
        required_text(field, value, rule.max_chars)?
    } else {
        clean_text(field, value, rule.max_chars)?
    };
    rule.check(field, value)?;
    Ok(cleaned)
}

fn id(field: &str, value: Option<i64>) -> AppResult<Option<i64>> {
    value.map(|v| rules::check_id(field, v)).transpose()
}
