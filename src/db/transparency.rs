//! What the transparency page reads: the ledger's sums per month, the balance before a date,
//! and the expense notes the treasurer published.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::upsert::excluded;

use super::schema::{expense_notes, ledger_entries};
use super::DbConn;
use crate::on_backend;

/// The sum of one kind (and category) of entries in one currency and one calendar month.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct MonthSum {
    /// `2026-11`.
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    /// Signed minor units (+ money in, − money out).
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// The expression that gives an entry's month, `2026-11`, on each backend (SQLite stores the
/// timestamp as ISO text; PostgreSQL is asked to write it so).
fn month_expression(conn: &DbConn) -> &'static str {
    match conn {
        DbConn::Sqlite(_) => "substr(occurred_at, 1, 7)",
        DbConn::Postgres(_) => "to_char(occurred_at, 'YYYY-MM')",
    }
}

/// Sums per month, currency, kind and category of every entry with `id <= up_to`: one grouped
/// scan, made once when the publisher starts (and now and then to check itself).
pub fn sums_up_to(conn: &mut DbConn, up_to: i64) -> QueryResult<Vec<MonthSum>> {
    let month = month_expression(conn);
    let query = format!(
        "SELECT {month} AS month, currency, kind, category, \
         CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount \
         FROM ledger_entries WHERE id <= $1 \
         GROUP BY {month}, currency, kind, category"
    );
    on_backend!(conn, |c| {
        let query = super::placeholders(c, &query);
        diesel::sql_query(query).bind::<BigInt, _>(up_to).load(c)
    })
}

/// One entry as the sums count it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct CountedEntry {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// The entries with `id > after`, by the primary key: what was added since a count.
pub fn entries_after(conn: &mut DbConn, after: i64) -> QueryResult<Vec<CountedEntry>> {
    let month = month_expression(conn);
    let query = format!(
        "SELECT id, {month} AS month, currency, kind, category, amount \
         FROM ledger_entries WHERE id > $1 ORDER BY id"
    );
    on_backend!(conn, |c| {
        let query = super::placeholders(c, &query);
        diesel::sql_query(query).bind::<BigInt, _>(after).load(c)
    })
}

/// The highest entry id, 0 for an empty ledger.
pub fn max_entry_id(conn: &mut DbConn) -> QueryResult<i64> {
    ledger_entries::table
        .select(sql::<BigInt>("CAST(COALESCE(MAX(id), 0) AS BIGINT)"))
        .first(conn)
}

/// A published note with the expense it describes.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct PublishedNote {
    pub entry_id: i64,
    pub occurred_at: NaiveDateTime,
    pub currency: String,
    /// Signed minor units, as the ledger holds it (an expense is negative).
    pub amount: i64,
    pub category: Option<String>,
    pub note: String,
}

/// The notes of expenses dated in `[from, until)`, oldest first.
pub fn notes_between(
    conn: &mut DbConn,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<PublishedNote>> {
    expense_notes::table
        .inner_join(ledger_entries::table)
        .filter(ledger_entries::occurred_at.ge(from))
        .filter(ledger_entries::occurred_at.lt(until))
        .order((ledger_entries::occurred_at.asc(), ledger_entries::id.asc()))
        .select((
            ledger_entries::id,
            ledger_entries::occurred_at,
            ledger_entries::currency,
            ledger_entries::amount,
            ledger_entries::category,
            expense_notes::note,
        ))
        .load(conn)
}

/// The note published for `entry_id`, if any.
pub fn note(conn: &mut DbConn, entry_id: i64) -> QueryResult<Option<String>> {
    expense_notes::table
        .find(entry_id)
        .select(expense_notes::note)
        .first(conn)
        .optional()
}

/// Publishes (or replaces) the note of an expense. Only this row changes: the entry does not.
pub fn put_note(
    conn: &mut DbConn,
    entry_id: i64,
    note: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(expense_notes::table)
        .values((
            expense_notes::entry_id.eq(entry_id),
            expense_notes::note.eq(note),
            expense_notes::published_at.eq(at),
        ))
        .on_conflict(expense_notes::entry_id)
        .do_update()
        .set((
            expense_notes::note.eq(excluded(expense_notes::note)),
            expense_notes::published_at.eq(excluded(expense_notes::published_at)),
        ))
        .execute(c))?;
    Ok(())
}

/// Withdraws the note of an expense.
pub fn remove_note(conn: &mut DbConn, entry_id: i64) -> QueryResult<()> {
    diesel::delete(expense_notes::table.find(entry_id)).execute(conn)?;
    Ok(())
}

/// The donors who joined last and let their name be shown, newest first: `(id, created_at)`.
pub fn newest_named_donors(
    conn: &mut DbConn,
    limit: i64,
) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    use super::schema::donors;
    donors::table
        .filter(donors::erased_at.is_null())
        .filter(donors::consent_name.eq(true))
        .filter(donors::anonymous.eq(false))
        .order((donors::created_at.desc(), donors::id.desc()))
        .limit(limit)
        .select((donors::id, donors::created_at))
        .load(conn)
}
