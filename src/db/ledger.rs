//! Ledger entries: insert and read only. The database refuses UPDATE and DELETE on this table.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

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
}

pub fn insert(conn: &mut DbConn, new: &NewEntry) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(ledger_entries::table)
        .values(new)
        .returning(ledger_entries::id)
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

/// Newest first, `limit` rows from `offset`.
pub fn list(
    conn: &mut DbConn,
    filter: &EntryFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let mut query = ledger_entries::table
        .select(EntryRow::as_select())
        .order(ledger_entries::id.desc())
        .offset(offset)
        .limit(limit)
        .into_boxed();
    if let Some(kind) = &filter.kind {
        query = query.filter(ledger_entries::kind.eq(kind.clone()));
    }
    if let Some(donor_id) = filter.donor_id {
        query = query.filter(ledger_entries::donor_id.eq(donor_id));
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

/// One-time gifts (donations outside any pledge) made after `since`, each with the sum of what
/// reverses it (refunds and corrections).
pub fn one_time_gifts_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
    donor_id: Option<i64>,
) -> QueryResult<Vec<GiftRow>> {
    use ledger_entries::dsl as e;
    let mut query = e::ledger_entries
        .select((e::id, e::donor_id, e::occurred_at, e::amount, e::currency))
        .into_boxed();
    if let Some(donor_id) = donor_id {
        query = query.filter(e::donor_id.eq(donor_id));
    }
    let gifts: Vec<(i64, Option<i64>, NaiveDateTime, i64, String)> = query
        .filter(e::kind.eq("donation"))
        .filter(e::pledge_id.is_null())
        .filter(e::donor_id.is_not_null())
        .filter(e::occurred_at.gt(since))
        .load(conn)?;
    let Some(first_id) = gifts.iter().map(|g| g.0).min() else {
        return Ok(Vec::new());
    };
    // Reversals always point at their original entry, so one grouped query covers every gift.
    let reversals: std::collections::HashMap<i64, i64> = e::ledger_entries
        .filter(e::reverses.ge(first_id))
        .group_by(e::reverses)
        .select((e::reverses, sql::<BigInt>("CAST(SUM(amount) AS BIGINT)")))
        .load::<(Option<i64>, i64)>(conn)?
        .into_iter()
        .filter_map(|(reverses, sum)| reverses.map(|id| (id, sum)))
        .collect();
    Ok(gifts
        .into_iter()
        .filter_map(|(id, donor_id, occurred_at, amount, currency)| {
            Some(GiftRow {
                donor_id: donor_id?,
                occurred_at,
                amount,
                currency,
                reversed: reversals.get(&id).copied().unwrap_or(0),
            })
        })
        .collect())
}

/// A one-time gift and what has been reversed of it, in minor units.
#[derive(Debug, Clone)]
pub struct GiftRow {
    pub donor_id: i64,
    pub occurred_at: NaiveDateTime,
    pub amount: i64,
    pub currency: String,
    pub reversed: i64,
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
