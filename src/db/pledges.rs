//! Recurring pledges: rows and queries. A pledge's status may change; its money never does.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::pledges;
use super::DbConn;
use crate::on_backend;

/// A pledge as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pledges)]
pub struct PledgeRow {
    pub id: i64,
    pub donor_id: i64,
    pub tier_id: Option<i64>,
    pub amount: i64,
    pub currency: String,
    pub interval: String,
    pub status: String,
    pub source: String,
    pub external_ref: Option<String>,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

/// The fields of a new pledge.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = pledges)]
pub struct NewPledge {
    pub donor_id: i64,
    pub tier_id: Option<i64>,
    pub amount: i64,
    pub currency: String,
    pub interval: String,
    pub status: String,
    pub source: String,
    pub external_ref: Option<String>,
    pub started_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewPledge) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(pledges::table)
        .values(new)
        .returning(pledges::id)
        .get_result(c))
}

/// The pledge, locked until the transaction ends: a status change must be based on the status it
/// read, even when another writer changes it at the same moment (PostgreSQL's READ COMMITTED).
pub fn find_for_update(conn: &mut DbConn, id: i64) -> QueryResult<Option<PledgeRow>> {
    match conn {
        DbConn::Sqlite(c) => pledges::table
            .find(id)
            .select(PledgeRow::as_select())
            .first(c)
            .optional(),
        DbConn::Postgres(c) => pledges::table
            .find(id)
            .select(PledgeRow::as_select())
            .for_update()
            .first(c)
            .optional(),
    }
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<PledgeRow>> {
    pledges::table
        .find(id)
        .select(PledgeRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_external_ref(
    conn: &mut DbConn,
    source: &str,
    external_ref: &str,
) -> QueryResult<Option<PledgeRow>> {
    pledges::table
        .filter(pledges::source.eq(source))
        .filter(pledges::external_ref.eq(external_ref))
        .select(PledgeRow::as_select())
        .first(conn)
        .optional()
}

/// Pledges filtered by donor and status, oldest first.
/// `(donor_id, amount, currency, interval)` of every active pledge: what the wall counts.
pub fn active_amounts(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64, String, String)>> {
    pledges::table
        .filter(pledges::status.eq("active"))
        .select((
            pledges::donor_id,
            pledges::amount,
            pledges::currency,
            pledges::interval,
        ))
        .order(pledges::id.asc())
        .load(conn)
}

pub fn list(
    conn: &mut DbConn,
    donor_id: Option<i64>,
    status: Option<&str>,
) -> QueryResult<Vec<PledgeRow>> {
    let mut query = pledges::table
        .select(PledgeRow::as_select())
        .order(pledges::id.asc())
        .into_boxed();
    if let Some(donor_id) = donor_id {
        query = query.filter(pledges::donor_id.eq(donor_id));
    }
    if let Some(status) = status {
        query = query.filter(pledges::status.eq(status.to_owned()));
    }
    query.load(conn)
}

pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    ended_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(pledges::table.find(id))
        .set((pledges::status.eq(status), pledges::ended_at.eq(ended_at)))
        .execute(conn)
}

/// Changes what a pledge promises, for pledges whose terms another system keeps (a Stripe
/// subscription whose amount or interval the donor changed there).
/// When the pledge began, as its provider reports it.
pub fn set_started_at(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(pledges::table.find(id))
        .set(pledges::started_at.eq(at))
        .execute(conn)
}

pub fn set_terms(conn: &mut DbConn, id: i64, amount: i64, interval: &str) -> QueryResult<usize> {
    diesel::update(pledges::table.find(id))
        .set((pledges::amount.eq(amount), pledges::interval.eq(interval)))
        .execute(conn)
}
