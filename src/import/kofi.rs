//! Ko-fi's transactions export: donations and subscription payments, keyed by TransactionId.
//! Shop orders and commissions are sales, not support, and are passed over.

use super::facts::{EntryFact, Facts, PlatformRow, Supporter, Visibility};
use super::table::{Row, RowError};
use super::{optional_email, supporter_name};
use crate::domain::EntryKind;

pub const COLUMNS: &[&str] = &[
    "DateTime (UTC)",
    "From",
    "Received",
    "Currency",
    "TransactionType",
    "TransactionId",
];

pub fn read(row: &Row) -> Result<Facts, RowError> {
    let kind = row.required("TransactionType")?;
    let lower = kind.to_lowercase();
    if lower.contains("shop") || lower.contains("commission") {
        return Ok(Facts::Nothing("shop orders and commissions"));
    }
    if !(lower.contains("donation")
        || lower.contains("subscription")
        || lower.contains("membership"))
    {
        return Err(row.error(
            "TransactionType",
            format!("“{kind}” is not Donation, Monthly Donation, Subscription, Shop Order or Commission"),
        ));
    }
    let id = row.required("TransactionId")?;
    let currency = row.currency("Currency")?;
    let amount = row.point_amount("Received", currency)?;
    if !amount.is_positive() {
        return Err(row.error("Received", "must be more than zero"));
    }
    let occurred_at = row.time("DateTime (UTC)")?;
    let email = optional_email(row, "BuyerEmail")?;
    // Without an address a gift names nobody: Ko-fi has no other id of its supporters.
    let supporter = match email {
        Some(email) => Some(Supporter {
            key: email.as_str().to_owned(),
            public_name: supporter_name(row, "From", "Ko-fi supporter")?,
            email: Some(email),
            visibility: Visibility::Unstated,
        }),
        None => None,
    };
    let item = row.text("Item");
    let memo = if item.is_empty() {
        format!("Ko-fi: {kind}")
    } else {
        format!("Ko-fi: {kind} ({item})")
    };
    Ok(Facts::Platform(PlatformRow {
        supporter,
        pledge: None,
        entries: vec![EntryFact {
            kind: EntryKind::Donation,
            amount,
            occurred_at,
            external_ref: id.to_owned(),
            reverses: None,
            category: None,
            memo: crate::ledger::clean_text("memo", &memo, 500).unwrap_or_default(),
            from_supporter: true,
        }],
    }))
}
