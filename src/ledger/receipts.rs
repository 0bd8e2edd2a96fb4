//! Receipts: every donation gets a number, sequential and gap-free per year (`2026-000042`),
//! taken inside the transaction that records it, and an immutable snapshot of what the donor
//! is told. A refund gets a credit note from the same series that names the receipt it
//! corrects. Donors with an email address get the document by mail through the outbox, in the
//! same transaction; donors without one get the number only.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::Entry;
use crate::db::{self, receipts::NewReceipt, DbConn};
use crate::domain::{EntryKind, Money};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// What a receipt document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// Confirms a donation.
    Receipt,
    /// Confirms a refund and names the receipt it corrects.
    CreditNote,
}

impl ReceiptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::CreditNote => "credit_note",
        }
    }

    /// The outbox kind of its mail.
    fn mail_kind(self) -> &'static str {
        self.as_str()
    }
}

/// A recurring pledge as the receipt describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgeSnapshot {
    pub amount_minor: i64,
    pub currency: String,
    pub interval: String,
}

/// Everything a receipt says, frozen when it is issued; re-sending renders this again, so the
/// donor gets the same document however often it goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptSnapshot {
    pub number: String,
    pub kind: ReceiptKind,
    /// The receipt a credit note corrects.
    pub corrects: Option<String>,
    pub lang: Lang,
    /// The donor's legal name if given, else their public name; `None` for an unnamed gift.
    pub donor_name: Option<String>,
    /// The amount given (a receipt) or given back (a credit note), always positive.
    pub amount_minor: i64,
    pub currency: String,
    /// The day the money moved.
    pub date: NaiveDate,
    pub source: String,
    pub pledge: Option<PledgeSnapshot>,
    pub entry_id: i64,
    pub issued_at: NaiveDateTime,
    /// The entry's leaf index in the ledger's Merkle log (receipts issued before the log
    /// existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_leaf: Option<u64>,
}

impl ReceiptSnapshot {
    /// The amount as money.
    pub fn amount(&self) -> AppResult<Money> {
        super::stored_money(self.amount_minor, &self.currency)
    }
}

/// A receipt as the treasurer sees it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub number: String,
    pub year: i32,
    pub sequence: i64,
    pub entry_id: i64,
    pub kind: ReceiptKind,
    pub corrects_receipt: Option<String>,
    pub donor_id: Option<i64>,
    pub snapshot: ReceiptSnapshot,
    pub created_at: NaiveDateTime,
}

impl TryFrom<db::receipts::ReceiptRow> for Receipt {
    type Error = AppError;
    fn try_from(row: db::receipts::ReceiptRow) -> AppResult<Self> {
        let snapshot: ReceiptSnapshot = serde_json::from_str(&row.snapshot)
            .map_err(|e| AppError::Internal(format!("stored receipt snapshot: {e}")))?;
        Ok(Self {
            number: row.number,
            year: row.year,
            sequence: row.sequence,
            entry_id: row.entry_id,
            kind: snapshot.kind,
            corrects_receipt: row.corrects_receipt,
            donor_id: row.donor_id,
            snapshot,
            created_at: row.created_at,
        })
    }
}

/// The printed form of a number: the year and six digits.
pub fn format_number(year: i32, sequence: i64) -> String {
    format!("{year}-{sequence:06}")
}

/// Issues the receipt of a donation, or the credit note of a refund, and queues its mail.
/// Called by `entries::record_donation` and `record_refund` inside their transaction; other
/// kinds of entries get no document.
pub fn issue(conn: &mut DbConn, entry: &Entry) -> AppResult<Option<Receipt>> {
    let kind = match entry.kind {
        EntryKind::Donation => ReceiptKind::Receipt,
        EntryKind::Refund => ReceiptKind::CreditNote,
        _ => return Ok(None),
    };
    let donor = match entry.donor_id {
        Some(id) => Some(super::donors::find(conn, id)?),
        None => None,
    };
    let pledge = match entry.pledge_id {
        Some(id) => Some(super::pledges::find(conn, id)?),
        None => None,
    };
    let corrects = match (kind, entry.reverses) {
        (ReceiptKind::CreditNote, Some(original)) => {
            db::receipts::find_by_entry(conn, original)?.map(|r| r.number)
        }
        _ => None,
    };
    let lang = Lang::from_locale(donor.as_ref().and_then(|d| d.locale.as_deref()));
    let year = entry.recorded_at.year();
    let sequence = db::receipts::next_sequence(conn, year)?;
    let number = format_number(year, sequence);
    let snapshot = ReceiptSnapshot {
        number: number.clone(),
        kind,
        corrects: corrects.clone(),
        lang,
        donor_name: donor.as_ref().filter(|d| !d.erased).map(|d| {
            d.legal_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| d.public_name.clone())
        }),
        amount_minor: entry.amount.minor().abs(),
        currency: entry.amount.currency().code().to_owned(),
        date: entry.occurred_at.date(),
        source: entry.source.as_str().to_owned(),
        pledge: pledge.map(|p| PledgeSnapshot {
            amount_minor: p.amount.minor(),
            currency: p.amount.currency().code().to_owned(),
            interval: p.interval.as_str().to_owned(),
        }),
        entry_id: entry.id,
        issued_at: entry.recorded_at,
        ledger_leaf: super::log::leaf_index_of(conn, entry.id)?,
    };
    let json = serde_json::to_string(&snapshot)
        .map_err(|e| AppError::Internal(format!("serialising a receipt: {e}")))?;
    db::receipts::insert(
        conn,
        &NewReceipt {
            number: &number,
            year,
            sequence,
            entry_id: entry.id,
            kind: kind.as_str(),
            corrects_receipt: corrects.as_deref(),
            donor_id: entry.donor_id,
            locale: lang.tag(),
            snapshot: &json,
            created_at: entry.recorded_at,
        },
    )?;
    if let Some(email) = donor
        .as_ref()
        .filter(|d| !d.erased)
        .and_then(|d| d.email.as_deref())
    {
        queue_mail(conn, kind, &number, email)?;
    }
    find(conn, &number).map(Some)
}

/// Queues the receipt's mail to `recipient` (the worker renders it from the snapshot).
fn queue_mail(
    conn: &mut DbConn,
    kind: ReceiptKind,
    number: &str,
    recipient: &str,
) -> AppResult<()> {
    let now = db::now();
    db::outbox::insert(
        conn,
        &db::outbox::NewMessage {
            kind: kind.mail_kind(),
            receipt_number: Some(number),
            dedupe_key: None,
            recipient,
            subject: None,
            body_text: None,
            body_html: None,
            status: "queued",
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        },
    )?;
    Ok(())
}

pub fn find(conn: &mut DbConn, number: &str) -> AppResult<Receipt> {
    db::receipts::find_by_number(conn, number)?
        .ok_or_else(|| AppError::not_found("receipt", number))?
        .try_into()
}

/// Sends a receipt again: same number, same snapshot, to the donor's current address.
pub fn resend(conn: &mut DbConn, number: &str) -> AppResult<Receipt> {
    let receipt = find(conn, number)?;
    let donor = match receipt.donor_id {
        Some(id) => Some(super::donors::find(conn, id)?),
        None => None,
    };
    let email = donor
        .filter(|d| !d.erased)
        .and_then(|d| d.email)
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "receipt {number} has no donor email address to send to"
            ))
        })?;
    queue_mail(conn, receipt.kind, &receipt.number, &email)?;
    Ok(receipt)
}

/// The messages queued for a receipt, with where each stands.
pub fn deliveries(conn: &mut DbConn, number: &str) -> AppResult<Vec<db::outbox::OutboxRow>> {
    Ok(db::outbox::for_receipt(conn, number)?)
}
