//! Open Collective's transactions export, from the collective's side: contributions (money in)
//! as donations keyed by shortId, with the payment processor's fee; refunds reversing the
//! contribution they name (`shortRefundId`); expenses with their category (the first expense
//! tag, else the expense type); host fees as fees. Other kinds (platform tips, added funds,
//! balance transfers) are passed over.

use super::facts::{EntryFact, Facts, PlatformRow, Supporter, Visibility};
use super::supporter_name;
use super::table::{Row, RowError};
use crate::domain::EntryKind;

pub const COLUMNS: &[&str] = &[
    "datetime", "shortId", "type", "kind", "isRefund", "amount", "currency",
];

pub fn read(row: &Row) -> Result<Facts, RowError> {
    let id = row.required("shortId")?;
    let kind = row.required("kind")?.to_uppercase();
    let credit = match row.required("type")?.to_uppercase().as_str() {
        "CREDIT" => true,
        "DEBIT" => false,
        other => return Err(row.error("type", format!("“{other}” is not CREDIT or DEBIT"))),
    };
    let is_refund = row.flag("isRefund")?;
    let currency = row.currency("currency")?;
    let amount = row.point_amount("amount", currency)?;
    let occurred_at = row.time("datetime")?;
    let memo = crate::ledger::clean_text("memo", row.text("description"), 500).map_err(|_| {
        row.error(
            "description",
            "must not hold control or invisible characters",
        )
    })?;
    let supporter = || -> Result<Option<Supporter>, RowError> {
        let slug = row.text("oppositeAccountSlug");
        if slug.is_empty() {
            return Ok(None);
        }
        Ok(Some(Supporter {
            key: slug.to_owned(),
            email: None,
            public_name: supporter_name(row, "oppositeAccountName", slug)?,
            visibility: Visibility::Unstated,
        }))
    };
    let entry = |kind: EntryKind, amount, external_ref: String, from_supporter: bool| EntryFact {
        kind,
        amount,
        occurred_at,
        external_ref,
        reverses: None,
        category: None,
        memo: memo.clone(),
        from_supporter,
    };
    let magnitude = if amount.is_negative() {
        amount.negated()
    } else {
        amount
    };
    if !magnitude.is_positive() {
        return Ok(Facts::Nothing("transactions of zero"));
    }
    let mut found = PlatformRow::default();
    match (kind.as_str(), credit, is_refund) {
        ("CONTRIBUTION", true, false) => {
            found.supporter = supporter()?;
            found
                .entries
                .push(entry(EntryKind::Donation, magnitude, id.to_owned(), true));
            if !row.text("paymentProcessorFee").is_empty() {
                let fee = row.point_amount("paymentProcessorFee", currency)?;
                let fee = if fee.is_negative() {
                    fee.negated()
                } else {
                    fee
                };
                if fee.is_positive() {
                    found
                        .entries
                        .push(entry(EntryKind::Fee, fee, format!("{id}:fee"), false));
                }
            }
        }
        ("CONTRIBUTION", false, true) => {
            let original = row.required("shortRefundId")?;
            found.supporter = supporter()?;
            let mut refund = entry(EntryKind::Refund, magnitude, id.to_owned(), true);
            refund.reverses = Some(original.to_owned());
            found.entries.push(refund);
        }
        ("EXPENSE", false, false) => {
            let tag = row
                .text("expenseTags")
                .split(',')
                .map(str::trim)
                .find(|t| !t.is_empty());
            let category = tag
                .map(str::to_owned)
                .or_else(|| Some(row.text("expenseType").to_lowercase()).filter(|t| !t.is_empty()))
                .unwrap_or_else(|| "other".to_owned());
            let category =
                crate::ledger::required_text("category", &category, 100).map_err(|_| {
                    row.error(
                        "expenseTags",
                        "must not hold control or invisible characters",
                    )
                })?;
            let mut expense = entry(EntryKind::Expense, magnitude, id.to_owned(), false);
            expense.category = Some(category);
            found.entries.push(expense);
        }
        ("HOST_FEE", false, false) => {
            found
                .entries
                .push(entry(EntryKind::Fee, magnitude, id.to_owned(), false));
        }
        ("CONTRIBUTION" | "EXPENSE" | "HOST_FEE", _, _) => {
            return Ok(Facts::Nothing("reversed expenses and fees"))
        }
        _ => return Ok(Facts::Nothing("other Open Collective transactions")),
    }
    Ok(Facts::Platform(found))
}
