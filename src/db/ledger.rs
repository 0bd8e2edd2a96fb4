//! Ledger entries: insert and read only. The database refuses UPDATE and DELETE on this table.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::schema::ledger_entries;
use super::DbConn;
use crate::on_backend;

/// A ledger entry as stored; `amount` is signed minor units (+ money in, − money out).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_entries)]
pub struct EntryRow {
    pub id: i64,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub source: String,
    pub external_ref: Option<String>,
    pub reverses: Option<i64>,
    pub category: Option<String>,
    pub memo: String,
}

/// The fields of a new entry.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct NewEntry {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub source: String,
    pub external_ref: Option<String>,
    pub reverses: Option<i64>,
    pub category: Option<String>,
    pub memo: String,
}

/// Filters for listing the ledger.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub kind: Option<String>,
    pub donor_id: Option<i64>,
    pub source: Option<String>,
    /// Entries whose money moved in `[from, to)`.
    pub occurred: Option<(NaiveDateTime, NaiveDateTime)>,
}

pub fn insert(conn: &mut DbConn, new: &NewEntry) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(ledger_entries::table)
        .values(new)
        .returning(ledger_entries::id)
        .get_result(c))
}

/// Inserts an entry and returns the row as stored, in one statement (`INSERT … RETURNING`).
pub fn insert_returning(conn: &mut DbConn, new: &NewEntry) -> QueryResult<EntryRow> {
    on_backend!(conn, |c| diesel::insert_into(ledger_entries::table)
        .values(new)
        .returning(EntryRow::as_returning())
        .get_result(c))
}

/// The entry, locked until the transaction ends, so that the refunds and corrections of one
/// entry are checked one after another against what really remains (PostgreSQL runs at READ
/// COMMITTED; SQLite's `BEGIN IMMEDIATE` already serialises writers). The row itself is never
/// updated: the lock only orders the writers that reverse it.
pub fn find_for_update(conn: &mut DbConn, id: i64) -> QueryResult<Option<EntryRow>> {
    match conn {
        DbConn::Sqlite(c) => ledger_entries::table
            .find(id)
            .select(EntryRow::as_select())
            .first(c)
            .optional(),
        DbConn::Postgres(c) => ledger_entries::table
            .find(id)
            .select(EntryRow::as_select())
            .for_update()
            .first(c)
            .optional(),
    }
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<EntryRow>> {
    ledger_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_external_ref(
    conn: &mut DbConn,
    source: &str,
    external_ref: &str,
) -> QueryResult<Option<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::source.eq(source))
        .filter(ledger_entries::external_ref.eq(external_ref))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

/// Where a page of the ledger starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// Skip this many rows (cost grows with the offset).
    Offset(i64),
    /// The entries older than this id (cost independent of depth: the index seeks to it).
    Before(i64),
}

/// Newest first, `limit` rows from `start`.
pub fn list(
    conn: &mut DbConn,
    filter: &EntryFilter,
    start: PageStart,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let mut query = ledger_entries::table
        .select(EntryRow::as_select())
        .order(ledger_entries::id.desc())
        .limit(limit)
        .into_boxed();
    query = match start {
        PageStart::Offset(offset) => query.offset(offset),
        PageStart::Before(id) => query.filter(ledger_entries::id.lt(id)),
    };
    if let Some(kind) = &filter.kind {
        query = query.filter(ledger_entries::kind.eq(kind.clone()));
    }
    if let Some(donor_id) = filter.donor_id {
        query = query.filter(ledger_entries::donor_id.eq(donor_id));
    }
    if let Some(source) = &filter.source {
        query = query.filter(ledger_entries::source.eq(source.clone()));
    }
    if let Some((from, to)) = filter.occurred {
        query = query.filter(
            ledger_entries::occurred_at
                .ge(from)
                .and(ledger_entries::occurred_at.lt(to)),
        );
    }
    query.load(conn)
}

/// What reverses one entry, in minor units: its refunds and its corrections, summed apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reversals {
    pub refunded: i64,
    pub corrected: i64,
}

/// The sums of the refunds and of the corrections that reverse `id`.
pub fn reversals(conn: &mut DbConn, id: i64) -> QueryResult<Reversals> {
    let rows: Vec<(String, i64)> = ledger_entries::table
        .filter(ledger_entries::reverses.eq(id))
        .group_by(ledger_entries::kind)
        .select((
            ledger_entries::kind,
            sql::<BigInt>("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut reversals = Reversals::default();
    for (kind, sum) in rows {
        match kind.as_str() {
            "refund" => reversals.refunded = sum,
            _ => reversals.corrected = reversals.corrected.saturating_add(sum),
        }
    }
    Ok(reversals)
}

/// What came back of the refunds of `id` (a refund that failed, a dispute won): the sum of the
/// entries that reverse its refunds.
pub fn refunds_given_back(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
    let refunds: Vec<i64> = ledger_entries::table
        .filter(ledger_entries::reverses.eq(id))
        .filter(ledger_entries::kind.eq("refund"))
        .select(ledger_entries::id)
        .load(conn)?;
    if refunds.is_empty() {
        return Ok(0);
    }
    ledger_entries::table
        .filter(ledger_entries::reverses.eq_any(refunds))
        .select(sql::<BigInt>("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"))
        .first(conn)
}

/// One donor's one-time giving in one currency inside a window, net of what reverses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftTotal {
    pub donor_id: i64,
    /// The gifts' amounts plus their refunds and corrections, in minor units.
    pub net: i64,
}

/// A gift or a reversal of one, as the window's scan reads it.
#[derive(QueryableByName)]
struct GiftAmount {
    #[diesel(sql_type = BigInt)]
    donor_id: i64,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

/// One-time gifts (donations outside any pledge) in `currency` given in `(since, until]`,
/// summed per donor, net of their refunds and corrections.
///
/// Two range scans over covering indexes, so the cost follows the window's gifts, not the
/// ledger's history: the gifts themselves, and the reversals dated inside the window whose
/// entry is such a gift. That second scan finds every reversal of those gifts because a refund
/// is never dated before its donation and a correction carries its entry's date.
///
/// The scans return plain (donor, amount) pairs and the sums are made here: SQLite would
/// group them through a temporary B-tree, which costs several times the scan itself.
pub fn gift_totals(
    conn: &mut DbConn,
    currency: &str,
    since: NaiveDateTime,
    until: NaiveDateTime,
    donor_id: Option<i64>,
) -> QueryResult<Vec<GiftTotal>> {
    let (gift_filter, reversal_filter) = if donor_id.is_some() {
        ("AND g.donor_id = $4", "AND r.donor_id = $4")
    } else {
        ("", "")
    };
    // With bound parameters SQLite cannot judge the date range and prefers the index on kind,
    // which holds nearly every row; name the covering indexes instead. PostgreSQL plans from
    // its statistics and needs no hint.
    let (gifts_index, reversals_index) = match (&*conn, donor_id) {
        (DbConn::Sqlite(_), None) => (
            "INDEXED BY ledger_entries_one_time_gifts",
            "INDEXED BY ledger_entries_recent_reversals",
        ),
        _ => ("", ""),
    };
    let gifts = format!(
        "SELECT g.donor_id AS donor_id, g.amount AS amount \
         FROM ledger_entries g {gifts_index} \
         WHERE g.kind = 'donation' AND g.pledge_id IS NULL AND g.donor_id IS NOT NULL \
         AND g.occurred_at > $1 AND g.occurred_at <= $2 AND g.currency = $3 {gift_filter}"
    );
    let reversals = format!(
        "SELECT r.donor_id AS donor_id, r.amount AS amount \
         FROM ledger_entries r {reversals_index} JOIN ledger_entries g ON g.id = r.reverses \
         WHERE r.reverses IS NOT NULL AND r.occurred_at > $1 AND r.donor_id IS NOT NULL \
         AND r.currency = $3 AND g.kind = 'donation' AND g.pledge_id IS NULL \
         AND g.occurred_at > $1 AND g.occurred_at <= $2 {reversal_filter}"
    );
    let mut by_donor: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for sql in [gifts, reversals] {
        let rows: Vec<GiftAmount> = on_backend!(conn, |c| {
            let sql = super::placeholders(c, &sql);
            let query = diesel::sql_query(sql)
                .bind::<Timestamp, _>(since)
                .bind::<Timestamp, _>(until)
                .bind::<Text, _>(currency)
                .into_boxed();
            match donor_id {
                Some(donor_id) => query.bind::<BigInt, _>(donor_id).load(c),
                None => query.load(c),
            }
        })?;
        for row in rows {
            let net = by_donor.entry(row.donor_id).or_default();
            *net = net.saturating_add(row.amount);
        }
    }
    let mut totals: Vec<GiftTotal> = by_donor
        .into_iter()
        .map(|(donor_id, net)| GiftTotal { donor_id, net })
        .collect();
    totals.sort_by_key(|t| t.donor_id);
    Ok(totals)
}

/// Running costs since `since` in one currency, as a positive number of minor units: expenses
/// and the corrections of expenses (which carry the expense's category).
pub fn running_costs_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
    currency: &str,
) -> QueryResult<i64> {
    let net: i64 = ledger_entries::table
        .filter(ledger_entries::category.is_not_null())
        .filter(ledger_entries::currency.eq(currency))
        .filter(ledger_entries::occurred_at.gt(since))
        .select(sql::<BigInt>("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"))
        .first(conn)?;
    Ok(-net)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    ledger_entries::table.count().get_result(conn)
}

/// Money in (the sum of positive entries) and money out (the sum of negative ones, as a
/// negative number) in one currency with `occurred_at` in `[from, until)`, in minor units.
pub fn flows_between(
    conn: &mut DbConn,
    currency: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    ledger_entries::table
        .filter(ledger_entries::currency.eq(currency))
        .filter(ledger_entries::occurred_at.ge(from))
        .filter(ledger_entries::occurred_at.lt(until))
        .select((
            sql::<BigInt>(
                "CAST(COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0) AS BIGINT)",
            ),
            sql::<BigInt>(
                "CAST(COALESCE(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END), 0) AS BIGINT)",
            ),
        ))
        .first(conn)
}

/// Every entry with `occurred_at` in `[from, until)`, oldest first (by id).
pub fn between(
    conn: &mut DbConn,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::occurred_at.ge(from))
        .filter(ledger_entries::occurred_at.lt(until))
        .select(EntryRow::as_select())
        .order(ledger_entries::id.asc())
        .load(conn)
}
