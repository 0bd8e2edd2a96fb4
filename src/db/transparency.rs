//! What the transparency page reads: the ledger's sums per month, the balance before a date,
//! and the expense notes the treasurer published.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
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

/// Sums per month, currency, kind and category of the entries with `occurred_at` in
/// `[from, until)`: one grouped range scan of `ledger_entries_by_month`, so that the page's
/// cost follows the months and the handful of kinds and categories, and no entry is read
/// into Rust.
pub fn monthly_sums(
    conn: &mut DbConn,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<MonthSum>> {
    // Both backends store the timestamp so that its first seven characters are the month
    // (SQLite as ISO text; PostgreSQL is asked to write it so).
    let month = match conn {
        DbConn::Sqlite(_) => "substr(occurred_at, 1, 7)",
        DbConn::Postgres(_) => "to_char(occurred_at, 'YYYY-MM')",
    };
    let index = match conn {
        DbConn::Sqlite(_) => "INDEXED BY ledger_entries_by_month",
        DbConn::Postgres(_) => "",
    };
    let query = format!(
        "SELECT {month} AS month, currency, kind, category, \
         CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount \
         FROM ledger_entries {index} \
         WHERE occurred_at >= $1 AND occurred_at < $2 \
         GROUP BY {month}, currency, kind, category \
         ORDER BY 1, 2, 3, 4"
    );
    on_backend!(conn, |c| {
        let query = super::placeholders(c, &query);
        diesel::sql_query(query)
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(until)
            .load(c)
    })
}

/// What the ledger holds per currency from entries dated before `before`, in minor units.
pub fn balances_before(
    conn: &mut DbConn,
    before: NaiveDateTime,
) -> QueryResult<Vec<(String, i64)>> {
    ledger_entries::table
        .filter(ledger_entries::occurred_at.lt(before))
        .group_by(ledger_entries::currency)
        .select((
            ledger_entries::currency,
            sql::<BigInt>("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"),
        ))
        .order(ledger_entries::currency)
        .load(conn)
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
