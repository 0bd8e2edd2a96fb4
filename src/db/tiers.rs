//! Sponsor tiers: rows and queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::tiers;
use super::DbConn;
use crate::on_backend;

/// A tier as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tiers)]
pub struct TierRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: i64,
    pub currency: String,
    pub perks: String,
    pub link_rel: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

/// The fields of a new tier.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tiers)]
pub struct NewTier {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: i64,
    pub currency: String,
    pub perks: String,
    pub link_rel: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
}

/// The fields an update may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = tiers)]
pub struct TierChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub monthly_minimum: Option<i64>,
    pub currency: Option<String>,
    pub perks: Option<String>,
    pub link_rel: Option<String>,
    pub position: Option<i32>,
}

pub fn insert(conn: &mut DbConn, new: &NewTier) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(tiers::table)
        .values(new)
        .returning(tiers::id)
        .get_result(c))
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<TierRow>> {
    tiers::table
        .find(id)
        .select(TierRow::as_select())
        .first(conn)
        .optional()
}

pub fn slug_taken(conn: &mut DbConn, slug: &str, except_id: Option<i64>) -> QueryResult<bool> {
    let found: Option<i64> = tiers::table
        .filter(tiers::slug.eq(slug))
        .select(tiers::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some_and(|id| Some(id) != except_id))
}

/// Tiers in display order; archived ones only when asked for.
pub fn list(conn: &mut DbConn, include_archived: bool) -> QueryResult<Vec<TierRow>> {
    let mut query = tiers::table
        .select(TierRow::as_select())
        .order((
            tiers::position.asc(),
            tiers::monthly_minimum.asc(),
            tiers::id.asc(),
        ))
        .into_boxed();
    if !include_archived {
        query = query.filter(tiers::archived_at.is_null());
    }
    query.load(conn)
}

pub fn update(conn: &mut DbConn, id: i64, changes: &TierChanges) -> QueryResult<usize> {
    diesel::update(tiers::table.find(id))
        .set(changes)
        .execute(conn)
}

pub fn archive(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(tiers::table.find(id).filter(tiers::archived_at.is_null()))
        .set(tiers::archived_at.eq(Some(at)))
        .execute(conn)
}
