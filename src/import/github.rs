//! GitHub Sponsors' export: a donation per processed payment, keyed by Transaction ID, and a
//! pledge per sponsorship (keyed by the sponsor's handle) that the payments belong to.
//! GitHub pays out in US dollars. `Is Public?` false makes the sponsor anonymous.

use super::facts::{EntryFact, Facts, PlatformRow, PledgeFact, Supporter, Visibility};
use super::table::{Row, RowError};
use super::{optional_email, supporter_name};
use crate::domain::{Currency, EntryKind, Interval, Money, PledgeStatus};

pub const COLUMNS: &[&str] = &[
    "Sponsor Handle",
    "Is Public?",
    "Is Yearly?",
    "Transaction ID",
    "Tier Monthly Amount",
    "Processed Amount",
    "Status",
    "Transaction Date",
];

pub fn read(row: &Row) -> Result<Facts, RowError> {
    let usd = Currency::parse("USD").map_err(|e| row.error("Processed Amount", e.to_string()))?;
    let handle = row.required("Sponsor Handle")?;
    let status = match row.text("Status").to_lowercase().as_str() {
        "active" | "settled" | "succeeded" | "processed" | "paid" => PledgeStatus::Active,
        "pending" | "failed" | "past_due" => PledgeStatus::PastDue,
        "cancelled" | "canceled" | "inactive" | "ended" | "refunded" => PledgeStatus::Cancelled,
        other => {
            return Err(row.error(
                "Status",
                format!("“{other}” is not active, settled, pending, failed or cancelled"),
            ))
        }
    };
    let yearly = row.flag("Is Yearly?")?;
    let monthly = row.point_amount("Tier Monthly Amount", usd)?;
    if !monthly.is_positive() {
        return Err(row.error("Tier Monthly Amount", "must be more than zero"));
    }
    let terms = if yearly {
        let minor = monthly
            .minor()
            .checked_mul(12)
            .and_then(|m| Money::from_minor(m, usd).ok())
            .ok_or_else(|| row.error("Tier Monthly Amount", "the amount is too large"))?;
        (minor, Interval::Year)
    } else {
        (monthly, Interval::Month)
    };
    let occurred_at = row.time("Transaction Date")?;
    let processed = row.point_amount("Processed Amount", usd)?;
    let visibility = if row.flag("Is Public?")? {
        Visibility::Public
    } else {
        Visibility::Hidden
    };
    let mut entries = Vec::new();
    if processed.is_negative() {
        return Err(row.error("Processed Amount", "must not be negative"));
    }
    let refunded = row.text("Status").eq_ignore_ascii_case("refunded");
    if processed.is_positive() && status != PledgeStatus::PastDue && !refunded {
        entries.push(EntryFact {
            kind: EntryKind::Donation,
            amount: processed,
            occurred_at,
            external_ref: row.required("Transaction ID")?.to_owned(),
            reverses: None,
            category: None,
            memo: "GitHub Sponsors".to_owned(),
            from_supporter: true,
        });
    }
    Ok(Facts::Platform(PlatformRow {
        supporter: Some(Supporter {
            key: handle.to_lowercase(),
            email: optional_email(row, "Sponsor Public Email")?,
            public_name: supporter_name(row, "Sponsor Profile Name", handle)?,
            visibility,
        }),
        pledge: Some(PledgeFact {
            external_ref: handle.to_lowercase(),
            terms: Some(terms),
            status,
            started_at: row.optional_time("Sponsorship Started On")?,
            as_of: Some(occurred_at),
        }),
        entries,
    }))
}
