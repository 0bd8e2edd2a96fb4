//! Liberapay's patrons export: a pledge per patron. Liberapay pledges by the week; Coffer keeps
//! the pledge as 52 weeks a year, so that its monthly equivalent is the weekly amount × 52 / 12
//! exactly, with no rounding of a monthly figure. Public patrons are named, others anonymous.

use super::facts::{Facts, PlatformRow, PledgeFact, Supporter, Visibility};
use super::supporter_name;
use super::table::{Row, RowError};
use crate::domain::{Interval, Money, PledgeStatus};

pub const COLUMNS: &[&str] = &[
    "patron_id",
    "patron_username",
    "visibility",
    "donation_currency",
    "weekly_amount",
    "pledge_date",
];

pub fn read(row: &Row) -> Result<Facts, RowError> {
    let id = row.required("patron_id")?;
    let currency = row.currency("donation_currency")?;
    let weekly = row.point_amount("weekly_amount", currency)?;
    if !weekly.is_positive() {
        return Err(row.error("weekly_amount", "must be more than zero"));
    }
    let yearly = weekly
        .minor()
        .checked_mul(52)
        .and_then(|minor| Money::from_minor(minor, currency).ok())
        .ok_or_else(|| row.error("weekly_amount", "the amount is too large"))?;
    let visibility = match row.text("visibility").to_lowercase().as_str() {
        "public" => Visibility::Public,
        "private" | "secret" | "hidden" => Visibility::Hidden,
        other => {
            return Err(row.error(
                "visibility",
                format!("“{other}” is not public, private or secret"),
            ))
        }
    };
    let username = row.required("patron_username")?;
    let fallback = if row.text("patron_public_name").is_empty() {
        username
    } else {
        row.text("patron_public_name")
    };
    let public_name = supporter_name(row, "patron_public_name", fallback)?;
    Ok(Facts::Platform(PlatformRow {
        supporter: Some(Supporter {
            key: id.to_owned(),
            email: None,
            public_name,
            visibility,
        }),
        pledge: Some(PledgeFact {
            external_ref: id.to_owned(),
            terms: Some((yearly, Interval::Year)),
            status: PledgeStatus::Active,
            started_at: Some(row.time("pledge_date")?),
            as_of: row.optional_time("last_modification_date")?,
        }),
        entries: Vec::new(),
    }))
}
