//! Money movements. Entries are only ever added: a refund or a correction is a new entry that
//! points at the one it reverses, and what remains of an entry is its amount plus its reversals.

use chrono::NaiveDateTime;

use crate::db::{self, ledger::EntryRow, DbConn};
use crate::domain::{EntryKind, Money, Source, TypedAmount};
use crate::error::{AppError, AppResult};

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
            amount: super::stored_money(row.amount, &row.currency)?,
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

/// A donation to record.
#[derive(Debug, Clone)]
pub struct DonationDraft {
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    pub amount: Money,
    pub occurred_at: Option<NaiveDateTime>,
    pub source: Source,
    pub external_ref: Option<String>,
    pub memo: String,
}

/// A refund of (part of) a donation.
#[derive(Debug, Clone)]
pub struct RefundDraft {
    pub entry_id: i64,
    /// What to give back, in the donation's currency; `None` refunds everything that remains.
    pub amount: Option<TypedAmount>,
    pub occurred_at: Option<NaiveDateTime>,
    pub source: Option<Source>,
    pub external_ref: Option<String>,
    pub memo: String,
}

/// A running cost of the server.
#[derive(Debug, Clone)]
pub struct ExpenseDraft {
    pub amount: Money,
    pub category: String,
    pub occurred_at: Option<NaiveDateTime>,
    pub source: Source,
    pub external_ref: Option<String>,
    pub memo: String,
}

/// A correction of a mistaken entry.
#[derive(Debug, Clone)]
pub struct CorrectionDraft {
    pub entry_id: i64,
    /// The signed change to the entry, in its currency; `None` reverses all that remains.
    pub amount: Option<TypedAmount>,
    pub memo: String,
}

/// A page of the ledger, newest first.
#[derive(Debug, Clone)]
pub struct LedgerPage {
    pub entries: Vec<Entry>,
    pub next_page: Option<i64>,
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Entry> {
    db::ledger::find(conn, id)?
        .ok_or_else(|| AppError::NotFound(format!("ledger entry {id}")))?
        .try_into()
}

/// The entry's amount plus everything that reverses it.
pub fn remaining(conn: &mut DbConn, entry: &Entry) -> AppResult<Money> {
    let reversed = Money::from_minor(
        db::ledger::reversed_total(conn, entry.id)?,
        entry.amount.currency(),
    )?;
    Ok(entry.amount.checked_add(reversed)?)
}

pub fn record_donation(conn: &mut DbConn, draft: DonationDraft) -> AppResult<Entry> {
    if !draft.amount.is_positive() {
        return Err(AppError::invalid(
            "amount",
            "a donation must be more than zero",
        ));
    }
    if let Some(donor_id) = draft.donor_id {
        let donor = super::donors::find(conn, donor_id)
            .map_err(|_| AppError::invalid("donor_id", format!("there is no donor {donor_id}")))?;
        if donor.erased {
            return Err(AppError::invalid("donor_id", "this donor has been erased"));
        }
    }
    let mut donor_id = draft.donor_id;
    if let Some(pledge_id) = draft.pledge_id {
        let pledge = super::pledges::find(conn, pledge_id).map_err(|_| {
            AppError::invalid("pledge_id", format!("there is no pledge {pledge_id}"))
        })?;
        if donor_id.is_some_and(|d| d != pledge.donor_id) {
            return Err(AppError::invalid(
                "pledge_id",
                "this pledge belongs to another donor",
            ));
        }
        if pledge.amount.currency() != draft.amount.currency() {
            return Err(AppError::invalid(
                "currency",
                format!(
                    "the pledge is in {}, not {}",
                    pledge.amount.currency(),
                    draft.amount.currency()
                ),
            ));
        }
        donor_id = Some(pledge.donor_id);
    }
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Donation.as_str().to_owned(),
            amount: draft.amount.minor(),
            currency: draft.amount.currency().code().to_owned(),
            donor_id,
            pledge_id: draft.pledge_id,
            occurred_at: draft.occurred_at.unwrap_or_else(db::now),
            recorded_at: db::now(),
            source: draft.source.as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: None,
            category: None,
            memo: draft.memo,
        },
    )
}

pub fn record_refund(conn: &mut DbConn, draft: RefundDraft) -> AppResult<Entry> {
    let original = find(conn, draft.entry_id).map_err(|_| {
        AppError::invalid(
            "entry_id",
            format!("there is no ledger entry {}", draft.entry_id),
        )
    })?;
    if original.kind != EntryKind::Donation {
        return Err(AppError::invalid(
            "entry_id",
            "only a donation can be refunded",
        ));
    }
    let remaining = remaining(conn, &original)?;
    if !remaining.is_positive() {
        return Err(AppError::Conflict(format!(
            "donation {} has already been refunded in full",
            original.id
        )));
    }
    let amount = match draft.amount {
        Some(typed) => in_currency_of(typed, &original)?,
        None => remaining,
    };
    if !amount.is_positive() {
        return Err(AppError::invalid(
            "amount",
            "a refund must be more than zero",
        ));
    }
    if amount.minor() > remaining.minor() {
        return Err(AppError::invalid(
            "amount",
            format!("only {remaining} of this donation remains to refund"),
        ));
    }
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Refund.as_str().to_owned(),
            amount: amount.negated().minor(),
            currency: amount.currency().code().to_owned(),
            donor_id: original.donor_id,
            pledge_id: original.pledge_id,
            occurred_at: draft.occurred_at.unwrap_or_else(db::now),
            recorded_at: db::now(),
            source: draft.source.unwrap_or(original.source).as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: Some(original.id),
            category: None,
            memo: draft.memo,
        },
    )
}

pub fn record_expense(conn: &mut DbConn, draft: ExpenseDraft) -> AppResult<Entry> {
    if !draft.amount.is_positive() {
        return Err(AppError::invalid(
            "amount",
            "an expense must be more than zero",
        ));
    }
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Expense.as_str().to_owned(),
            amount: draft.amount.negated().minor(),
            currency: draft.amount.currency().code().to_owned(),
            donor_id: None,
            pledge_id: None,
            occurred_at: draft.occurred_at.unwrap_or_else(db::now),
            recorded_at: db::now(),
            source: draft.source.as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: None,
            category: Some(draft.category),
            memo: draft.memo,
        },
    )
}

/// Corrects a mistaken entry by a new entry pointing at it. What remains of the entry must stay
/// between zero and its original amount: a correction cannot turn a donation into a debt.
pub fn record_correction(conn: &mut DbConn, draft: CorrectionDraft) -> AppResult<Entry> {
    let original = find(conn, draft.entry_id).map_err(|_| {
        AppError::invalid(
            "entry_id",
            format!("there is no ledger entry {}", draft.entry_id),
        )
    })?;
    if original.reverses.is_some() {
        return Err(AppError::invalid(
            "entry_id",
            "correct the original entry, not a refund or correction of it",
        ));
    }
    let remaining = remaining(conn, &original)?;
    let change = match draft.amount {
        Some(typed) => in_currency_of(typed, &original)?,
        None => remaining.negated(),
    };
    if change.minor() == 0 {
        return Err(AppError::invalid(
            "amount",
            "there is nothing left to correct",
        ));
    }
    let after = remaining.checked_add(change)?;
    let (low, high) = if original.amount.is_negative() {
        (original.amount.minor(), 0)
    } else {
        (0, original.amount.minor())
    };
    if after.minor() < low || after.minor() > high {
        return Err(AppError::invalid(
            "amount",
            format!(
                "the entry would stand at {after}; it must stay between {} and {}",
                Money::from_minor(low, after.currency())?,
                Money::from_minor(high, after.currency())?
            ),
        ));
    }
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Correction.as_str().to_owned(),
            amount: change.minor(),
            currency: change.currency().code().to_owned(),
            donor_id: original.donor_id,
            pledge_id: original.pledge_id,
            occurred_at: db::now(),
            recorded_at: db::now(),
            source: Source::Manual.as_str().to_owned(),
            external_ref: None,
            reverses: Some(original.id),
            category: original.category,
            memo: draft.memo,
        },
    )
}

pub fn list(
    conn: &mut DbConn,
    kind: Option<EntryKind>,
    donor_id: Option<i64>,
    page: i64,
    per_page: i64,
) -> AppResult<LedgerPage> {
    let filter = db::ledger::EntryFilter {
        kind: kind.map(|k| k.as_str().to_owned()),
        donor_id,
    };
    // One row more than a page tells whether another page follows.
    let mut rows = db::ledger::list(conn, &filter, page * per_page, per_page + 1)?;
    let next_page = (rows.len() as i64 > per_page).then_some(page + 1);
    rows.truncate(per_page as usize);
    Ok(LedgerPage {
        entries: rows
            .into_iter()
            .map(Entry::try_from)
            .collect::<AppResult<_>>()?,
        next_page,
    })
}

/// A typed amount read in the currency of the entry it refunds or corrects.
fn in_currency_of(typed: TypedAmount, entry: &Entry) -> AppResult<Money> {
    typed
        .in_currency(entry.amount.currency())
        .map_err(|e| AppError::invalid("amount", e.to_string()))
}

/// Inserts an entry; a repeated (source, external_ref) is a conflict, not a second payment.
fn insert(conn: &mut DbConn, new: db::ledger::NewEntry) -> AppResult<Entry> {
    if let Some(external_ref) = &new.external_ref {
        if db::ledger::find_by_external_ref(conn, &new.source, external_ref)?.is_some() {
            return Err(AppError::Conflict(format!(
                "an entry from {} with the reference “{external_ref}” is already recorded",
                new.source
            )));
        }
    }
    let id = db::ledger::insert(conn, &new).map_err(|err| {
        if db::is_unique_violation(&err) {
            AppError::Conflict("this external payment is already recorded".to_owned())
        } else {
            AppError::from(err)
        }
    })?;
    find(conn, id)
}
