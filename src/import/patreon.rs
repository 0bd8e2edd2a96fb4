//! Patreon's members export: a donor per member (by email, and by Patreon's User ID), and a
//! pledge per active or declined patron. Former patrons only end a pledge already recorded.

use super::facts::{Facts, PlatformRow, PledgeFact, Supporter, Visibility};
use super::table::{Row, RowError};
use super::{optional_email, supporter_name};
use crate::domain::{Interval, PledgeStatus};

pub const COLUMNS: &[&str] = &[
    "Name",
    "Email",
    "Patron Status",
    "Pledge Amount",
    "Charge Frequency",
    "User ID",
    "Currency",
];

pub fn read(row: &Row) -> Result<Facts, RowError> {
    let status = match row.text("Patron Status").to_lowercase().as_str() {
        "active patron" => PledgeStatus::Active,
        "declined patron" => PledgeStatus::PastDue,
        "former patron" => PledgeStatus::Cancelled,
        // Followers and free members pledge nothing.
        "" | "follower" | "free member" => return Ok(Facts::Nothing("free members")),
        other => {
            return Err(row.error(
                "Patron Status",
                format!("“{other}” is not Active patron, Declined patron or Former patron"),
            ))
        }
    };
    let user_id = row.required("User ID")?;
    let currency = row.currency("Currency")?;
    let terms = if status == PledgeStatus::Cancelled && row.text("Pledge Amount").is_empty() {
        None
    } else {
        let amount = row.point_amount("Pledge Amount", currency)?;
        if !amount.is_positive() {
            return Ok(Facts::Nothing("free members"));
        }
        let interval = match row.text("Charge Frequency").to_lowercase().as_str() {
            "monthly" | "month" => Interval::Month,
            "annual" | "annually" | "yearly" | "year" => Interval::Year,
            other => {
                return Err(row.error(
                    "Charge Frequency",
                    format!("“{other}” is not monthly or annual"),
                ))
            }
        };
        Some((amount, interval))
    };
    let supporter = Supporter {
        key: user_id.to_owned(),
        email: optional_email(row, "Email")?,
        public_name: supporter_name(row, "Name", &format!("Patreon patron {user_id}"))?,
        visibility: Visibility::Unstated,
    };
    Ok(Facts::Platform(PlatformRow {
        supporter: Some(supporter),
        pledge: Some(PledgeFact {
            external_ref: user_id.to_owned(),
            terms,
            status,
            started_at: row.optional_time("Patronage Since Date")?,
            as_of: row.optional_time("Last Charge Date")?,
        }),
        entries: Vec::new(),
    }))
}
