//! Money movements. Entries are only ever added: a refund or a correction is a new entry that
//! points at the one it reverses, and what remains of an entry is its amount plus its reversals.

use chrono::NaiveDateTime;

use crate::db::{self, DbConn};
use crate::domain::{EntryKind, Money, Source, TypedAmount};
use crate::error::{AppError, AppResult};

pub use super::{check_date, earliest_date, Entry};

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
    /// The next page's number, when this page was asked for by number.
    pub next_page: Option<i64>,
    /// Where the next page starts (`?cursor=`), when another page follows.
    pub next_cursor: Option<i64>,
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Entry> {
    db::ledger::find(conn, id)?
        .ok_or_else(|| AppError::not_found("ledger entry", id))?
        .try_into()
}

/// The entry, locked against concurrent reversals until the transaction ends.
fn find_for_update(conn: &mut DbConn, id: i64) -> AppResult<Entry> {
    db::ledger::find_for_update(conn, id)?
        .ok_or_else(|| AppError::not_found("ledger entry", id))?
        .try_into()
}

/// Where an entry stands: its amount and what its refunds and corrections took from it, in
/// minor units, wide enough that no sum of accepted entries can overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub original: i128,
    pub refunded: i128,
    pub corrected: i128,
}

impl Standing {
    /// What is left of the entry: its amount plus everything that reverses it.
    pub fn remaining(&self) -> i128 {
        self.original + self.refunded + self.corrected
    }

    /// +1 for money in, −1 for money out: reversals move an entry towards zero, never past it.
    fn sign(&self) -> i128 {
        self.original.signum()
    }

    /// The bound every refund and correction keeps, as a sentence when it is broken: refunds
    /// and corrections each only take away from the entry, and together never take more than
    /// it was. The writers refuse anything that would break it; `coffer check` finds rows that
    /// did anyway (written around Coffer).
    pub fn violation(&self) -> Option<&'static str> {
        let sign = self.sign();
        if sign * self.refunded > 0 {
            Some("its refunds add to it instead of taking away")
        } else if sign * self.corrected > 0 {
            Some("its corrections add to it instead of taking away")
        } else if sign * self.remaining() < 0 {
            Some("its refunds and corrections take more than it was")
        } else {
            None
        }
    }
}

/// The entry's standing as recorded now.
pub fn standing(conn: &mut DbConn, entry: &Entry) -> AppResult<Standing> {
    let reversals = db::ledger::reversals(conn, entry.id)?;
    // A refund whose money came back (failed, or a dispute won) no longer takes from it.
    let given_back = match entry.kind {
        EntryKind::Donation => db::ledger::refunds_given_back(conn, entry.id)?,
        _ => 0,
    };
    Ok(Standing {
        original: i128::from(entry.amount.minor()),
        refunded: i128::from(reversals.refunded) + i128::from(given_back),
        corrected: i128::from(reversals.corrected),
    })
}

/// The entry's amount plus everything that reverses it.
pub fn remaining(conn: &mut DbConn, entry: &Entry) -> AppResult<Money> {
    let remaining = standing(conn, entry)?.remaining();
    let minor = i64::try_from(remaining)
        .map_err(|_| AppError::Internal(format!("entry {} stands out of range", entry.id)))?;
    Money::from_minor(minor, entry.amount.currency())
        .map_err(|_| AppError::Internal(format!("entry {} stands out of range", entry.id)))
}

pub fn record_donation(conn: &mut DbConn, draft: DonationDraft) -> AppResult<Entry> {
    if !draft.amount.is_positive() {
        return Err(AppError::invalid(
            "amount",
            "a donation must be more than zero",
        ));
    }
    let occurred_at = match draft.occurred_at {
        Some(at) => check_date("occurred_at", at)?,
        None => db::now(),
    };
    if let Some(donor_id) = draft.donor_id {
        let donor =
            super::donors::find(conn, donor_id).map_err(|e| e.missing_reference("donor_id"))?;
        if donor.erased {
            return Err(AppError::invalid("donor_id", "this donor has been erased"));
        }
    }
    let mut donor_id = draft.donor_id;
    if let Some(pledge_id) = draft.pledge_id {
        let pledge =
            super::pledges::find(conn, pledge_id).map_err(|e| e.missing_reference("pledge_id"))?;
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
    let entry = insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Donation.as_str().to_owned(),
            amount: draft.amount.minor(),
            currency: draft.amount.currency().code().to_owned(),
            donor_id,
            pledge_id: draft.pledge_id,
            occurred_at,
            recorded_at: db::now(),
            source: draft.source.as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: None,
            category: None,
            memo: draft.memo,
        },
    )?;
    // The receipt number is taken in this transaction: a rollback returns it.
    super::receipts::issue(conn, &entry)?;
    Ok(entry)
}

/// Refunds (part of) a donation. The donation is locked first, so refunds of one donation are
/// checked one after another and never give back more than remains.
pub fn record_refund(conn: &mut DbConn, draft: RefundDraft) -> AppResult<Entry> {
    let original =
        find_for_update(conn, draft.entry_id).map_err(|e| e.missing_reference("entry_id"))?;
    if original.kind != EntryKind::Donation {
        return Err(AppError::invalid(
            "entry_id",
            "only a donation can be refunded",
        ));
    }
    let occurred_at = match draft.occurred_at {
        Some(at) => check_date("occurred_at", at)?,
        // A donation dated a little ahead (clock slack) is refunded no earlier than it was given.
        None => db::now().max(original.occurred_at),
    };
    if occurred_at < original.occurred_at {
        return Err(AppError::invalid(
            "occurred_at",
            "a refund cannot be dated before the donation it refunds",
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
    let entry = insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Refund.as_str().to_owned(),
            amount: amount.negated().minor(),
            currency: amount.currency().code().to_owned(),
            donor_id: original.donor_id,
            pledge_id: original.pledge_id,
            occurred_at,
            recorded_at: db::now(),
            source: draft.source.unwrap_or(original.source).as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: Some(original.id),
            category: None,
            memo: draft.memo,
        },
    )?;
    // The credit note names the donation's receipt and is numbered in this transaction.
    super::receipts::issue(conn, &entry)?;
    Ok(entry)
}

pub fn record_expense(conn: &mut DbConn, draft: ExpenseDraft) -> AppResult<Entry> {
    if !draft.amount.is_positive() {
        return Err(AppError::invalid(
            "amount",
            "an expense must be more than zero",
        ));
    }
    let occurred_at = match draft.occurred_at {
        Some(at) => check_date("occurred_at", at)?,
        None => db::now(),
    };
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Expense.as_str().to_owned(),
            amount: draft.amount.negated().minor(),
            currency: draft.amount.currency().code().to_owned(),
            donor_id: None,
            pledge_id: None,
            occurred_at,
            recorded_at: db::now(),
            source: draft.source.as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: None,
            category: Some(draft.category),
            memo: draft.memo,
        },
    )
}

/// Records an expense and, in the same transaction, the note the treasurer publishes on it
/// (none when `public_note` is empty).
pub fn record_expense_with_note(
    conn: &mut DbConn,
    draft: ExpenseDraft,
    public_note: Option<&str>,
) -> AppResult<Entry> {
    let note = public_note
        .map(super::public_pages::check_note)
        .transpose()?
        .filter(|n| !n.is_empty());
    let entry = record_expense(conn, draft)?;
    if let Some(note) = note {
        db::transparency::put_note(conn, entry.id, &note, db::now())?;
    }
    Ok(entry)
}

/// Corrects a mistaken entry by a new entry pointing at it.
///
/// A correction only takes away from an entry, or gives back what an earlier correction took:
/// the corrections of an entry never sum past zero towards a larger entry, so a correction can
/// never reopen what was refunded. And what remains stays between zero and the original amount,
/// so a correction cannot turn a donation into a debt. The correction counts in the period of
/// the entry it corrects (it carries its date), so last year's costs stay last year's.
pub fn record_correction(conn: &mut DbConn, draft: CorrectionDraft) -> AppResult<Entry> {
    let original =
        find_for_update(conn, draft.entry_id).map_err(|e| e.missing_reference("entry_id"))?;
    if original.reverses.is_some() {
        return Err(AppError::invalid(
            "entry_id",
            "correct the original entry, not a refund or correction of it",
        ));
    }
    let standing = standing(conn, &original)?;
    let change = match draft.amount {
        Some(typed) => in_currency_of(typed, &original)?,
        None => Money::from_minor(
            i64::try_from(-standing.remaining()).map_err(|_| {
                AppError::Internal(format!("entry {} stands out of range", original.id))
            })?,
            original.amount.currency(),
        )
        .map_err(|_| AppError::Internal(format!("entry {} stands out of range", original.id)))?,
    };
    if change.minor() == 0 {
        return Err(AppError::invalid(
            "amount",
            "there is nothing left to correct",
        ));
    }
    let sign = standing.sign();
    let corrected_after = standing.corrected + i128::from(change.minor());
    let remaining_after = standing.remaining() + i128::from(change.minor());
    let currency = original.amount.currency();
    let shown = |minor: i128| -> String {
        i64::try_from(minor)
            .ok()
            .and_then(|m| Money::from_minor(m, currency).ok())
            .map_or_else(|| minor.to_string(), |m| m.to_string())
    };
    if sign * corrected_after > 0 {
        return Err(AppError::invalid(
            "amount",
            format!(
                "a correction can only take away from the entry, or give back what earlier \
                 corrections took ({} here); it cannot reopen a refunded amount",
                shown(-standing.corrected)
            ),
        ));
    }
    if sign * remaining_after < 0 {
        return Err(AppError::invalid(
            "amount",
            format!(
                "the entry would stand at {}; it must stay between {} and {}",
                shown(remaining_after),
                shown(0),
                shown(standing.original)
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
            occurred_at: original.occurred_at,
            recorded_at: db::now(),
            source: Source::Manual.as_str().to_owned(),
            external_ref: None,
            reverses: Some(original.id),
            category: original.category,
            memo: draft.memo,
        },
    )
}

/// Gives back a refund whose money came back (a refund that failed, a dispute the instance
/// won): a correction of the refund entry, for all of it, dated when it came back. The refund
/// stays in the books, reversed, as the provider reports it.
pub fn reverse_refund(
    conn: &mut DbConn,
    refund_id: i64,
    occurred_at: NaiveDateTime,
    source: Source,
    external_ref: String,
    memo: String,
) -> AppResult<Entry> {
    let refund = find_for_update(conn, refund_id).map_err(|e| e.missing_reference("entry_id"))?;
    if refund.kind != EntryKind::Refund {
        return Err(AppError::invalid(
            "entry_id",
            "only a refund can be given back",
        ));
    }
    let remaining = remaining(conn, &refund)?;
    if !remaining.is_negative() {
        return Err(AppError::Conflict(format!(
            "refund {} has already been given back",
            refund.id
        )));
    }
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Correction.as_str().to_owned(),
            amount: remaining.negated().minor(),
            currency: remaining.currency().code().to_owned(),
            donor_id: refund.donor_id,
            pledge_id: refund.pledge_id,
            occurred_at: occurred_at.max(refund.occurred_at),
            recorded_at: db::now(),
            source: source.as_str().to_owned(),
            external_ref: Some(external_ref),
            reverses: Some(refund.id),
            category: None,
            memo,
        },
    )
}

/// Which page of the ledger to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    /// The n-th page from the newest (0 first); deep pages cost more.
    Number(i64),
    /// The page after a cursor from an earlier page (`next_cursor`); every page costs the same.
    After(i64),
}

/// What to list of the ledger; `None` everywhere lists it all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub kind: Option<EntryKind>,
    pub donor_id: Option<i64>,
    pub source: Option<Source>,
    /// A calendar month, `(year, month)`, by the day the money moved.
    pub month: Option<(i32, u32)>,
}

pub fn list(
    conn: &mut DbConn,
    kind: Option<EntryKind>,
    donor_id: Option<i64>,
    at: PageAt,
    per_page: i64,
) -> AppResult<LedgerPage> {
    let filter = LedgerFilter {
        kind,
        donor_id,
        ..LedgerFilter::default()
    };
    list_filtered(conn, &filter, at, per_page)
}

/// Lists the ledger, newest first, by the console's filters.
pub fn list_filtered(
    conn: &mut DbConn,
    filter: &LedgerFilter,
    at: PageAt,
    per_page: i64,
) -> AppResult<LedgerPage> {
    let occurred = filter
        .month
        .map(|(year, month)| {
            let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)
                .ok_or_else(|| AppError::invalid("month", "must be a month like 2026-11"))?;
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(|| AppError::invalid("month", "must be a month like 2026-11"))?;
            Ok::<_, AppError>((
                first.and_time(chrono::NaiveTime::MIN),
                next.and_time(chrono::NaiveTime::MIN),
            ))
        })
        .transpose()?;
    let filter = db::ledger::EntryFilter {
        kind: filter.kind.map(|k| k.as_str().to_owned()),
        donor_id: filter.donor_id,
        source: filter.source.map(|s| s.as_str().to_owned()),
        occurred,
    };
    let start = match at {
        PageAt::Number(page) => db::ledger::PageStart::Offset(page.saturating_mul(per_page)),
        PageAt::After(cursor) => db::ledger::PageStart::Before(cursor),
    };
    // One row more than a page tells whether another page follows.
    let mut rows = db::ledger::list(conn, &filter, start, per_page + 1)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    let next_page = match at {
        PageAt::Number(page) if more => Some(page + 1),
        _ => None,
    };
    let next_cursor = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(LedgerPage {
        entries: rows
            .into_iter()
            .map(Entry::try_from)
            .collect::<AppResult<_>>()?,
        next_page,
        next_cursor,
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
    // The entry and its leaf in the Merkle log, in this transaction.
    super::log::record(conn, &new)?.try_into()
}

/// Money in and out of one calendar month, in the instance currency.
#[derive(Debug, Clone)]
pub struct MonthFlow {
    /// `2026-11`.
    pub month: String,
    /// The sum of positive entries (donations, positive corrections).
    pub money_in: Money,
    /// The sum of negative entries (refunds, fees, expenses), as a positive amount.
    pub money_out: Money,
}

/// The last `months` calendar months up to and including `now`'s, oldest first.
pub fn monthly_flows(
    conn: &mut DbConn,
    currency: crate::domain::Currency,
    months: u32,
    now: NaiveDateTime,
) -> AppResult<Vec<MonthFlow>> {
    use chrono::{Datelike, NaiveDate};
    let first_of = |year: i32, month: u32| {
        NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| AppError::Internal(format!("no month {year}-{month}")))
    };
    let mut flows = Vec::new();
    for back in (0..months).rev() {
        let index = now.year() * 12 + now.month0() as i32 - back as i32;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        let next = index + 1;
        let from = first_of(year, month)?;
        let until = first_of(next.div_euclid(12), next.rem_euclid(12) as u32 + 1)?;
        let (money_in, money_out) = db::ledger::flows_between(conn, currency.code(), from, until)?;
        flows.push(MonthFlow {
            month: format!("{year:04}-{month:02}"),
            money_in: Money::from_minor(money_in, currency)?,
            money_out: Money::from_minor(money_out.saturating_neg(), currency)?,
        });
    }
    Ok(flows)
}

/// What a payment provider kept of a payment.
#[derive(Debug, Clone)]
pub struct FeeDraft {
    /// Positive: the fee is recorded as money out.
    pub amount: Money,
    pub occurred_at: Option<NaiveDateTime>,
    pub source: Source,
    pub external_ref: Option<String>,
    pub memo: String,
}

/// Records a provider's fee. It is not an expense: it has no category, so it does not count
/// towards the running costs that set the monthly goal, and it names no donor.
pub fn record_fee(conn: &mut DbConn, draft: FeeDraft) -> AppResult<Entry> {
    if !draft.amount.is_positive() {
        return Err(AppError::invalid("amount", "a fee must be more than zero"));
    }
    let occurred_at = match draft.occurred_at {
        Some(at) => check_date("occurred_at", at)?,
        None => db::now(),
    };
    insert(
        conn,
        db::ledger::NewEntry {
            kind: EntryKind::Fee.as_str().to_owned(),
            amount: draft.amount.negated().minor(),
            currency: draft.amount.currency().code().to_owned(),
            donor_id: None,
            pledge_id: None,
            occurred_at,
            recorded_at: db::now(),
            source: draft.source.as_str().to_owned(),
            external_ref: draft.external_ref,
            reverses: None,
            category: None,
            memo: draft.memo,
        },
    )
}
