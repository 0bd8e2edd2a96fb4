//! Receipts and their per-year counters. Receipts are inserted once and never changed (a trigger
//! in both backends refuses UPDATE and DELETE).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{receipt_counters, receipts};
use super::DbConn;
use crate::on_backend;

/// A receipt as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = receipts)]
pub struct ReceiptRow {
    pub id: i64,
    pub number: String,
    pub year: i32,
    pub sequence: i64,
    pub entry_id: i64,
    pub kind: String,
    pub corrects_receipt: Option<String>,
    pub donor_id: Option<i64>,
    pub locale: String,
    pub snapshot: String,
    pub created_at: NaiveDateTime,
}

/// The fields of a new receipt.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = receipts)]
pub struct NewReceipt<'a> {
    pub number: &'a str,
    pub year: i32,
    pub sequence: i64,
    pub entry_id: i64,
    pub kind: &'a str,
    pub corrects_receipt: Option<&'a str>,
    pub donor_id: Option<i64>,
    pub locale: &'a str,
    pub snapshot: &'a str,
    pub created_at: NaiveDateTime,
}

/// Takes the next number of `year`. Must run inside the recording transaction: on PostgreSQL the
/// UPDATE locks the year's row until commit, so concurrent writers queue for their numbers; on
/// SQLite `BEGIN IMMEDIATE` already lets one writer in at a time. A rollback undoes the increment.
pub fn next_sequence(conn: &mut DbConn, year: i32) -> QueryResult<i64> {
    on_backend!(conn, |c| {
        diesel::insert_into(receipt_counters::table)
            .values((
                receipt_counters::year.eq(year),
                receipt_counters::last_sequence.eq(0_i64),
            ))
            .on_conflict_do_nothing()
            .execute(c)?;
        diesel::update(receipt_counters::table.find(year))
            .set(receipt_counters::last_sequence.eq(receipt_counters::last_sequence + 1_i64))
            .returning(receipt_counters::last_sequence)
            .get_result(c)
    })
}

pub fn insert(conn: &mut DbConn, new: &NewReceipt<'_>) -> QueryResult<()> {
    diesel::insert_into(receipts::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_number(conn: &mut DbConn, number: &str) -> QueryResult<Option<ReceiptRow>> {
    receipts::table
        .filter(receipts::number.eq(number))
        .select(ReceiptRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_entry(conn: &mut DbConn, entry_id: i64) -> QueryResult<Option<ReceiptRow>> {
    receipts::table
        .filter(receipts::entry_id.eq(entry_id))
        .select(ReceiptRow::as_select())
        .first(conn)
        .optional()
}

/// Every receipt and credit note of a donor issued for entries of `year`, oldest first.
pub fn for_donor_and_year(
    conn: &mut DbConn,
    donor_id: i64,
    year: i32,
) -> QueryResult<Vec<ReceiptRow>> {
    receipts::table
        .filter(receipts::donor_id.eq(donor_id))
        .filter(receipts::year.eq(year))
        .order((receipts::year, receipts::sequence))
        .select(ReceiptRow::as_select())
        .load(conn)
}

/// The donors with at least one receipt in `year`.
pub fn donors_of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<i64>> {
    receipts::table
        .filter(receipts::year.eq(year))
        .filter(receipts::donor_id.is_not_null())
        .select(receipts::donor_id.assume_not_null())
        .distinct()
        .order(receipts::donor_id.assume_not_null())
        .load(conn)
}

/// Every number issued in `year`, in order (for checks that the series has no gaps).
pub fn sequences_of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<i64>> {
    receipts::table
        .filter(receipts::year.eq(year))
        .order(receipts::sequence)
        .select(receipts::sequence)
        .load(conn)
}
