//! Donors' logos: re-encoded image files, named by the SHA-256 of their bytes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{donors, logos};
use super::DbConn;
use crate::on_backend;

/// A stored logo.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = logos)]
pub struct LogoRow {
    pub hash: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: Vec<u8>,
    pub created_at: NaiveDateTime,
}

/// Stores a logo; the same bytes uploaded twice are one row.
pub fn insert(conn: &mut DbConn, logo: &LogoRow) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(logos::table)
        .values(logo)
        .on_conflict(logos::hash)
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// The logo with this hash.
pub fn find(conn: &mut DbConn, hash: &str) -> QueryResult<Option<LogoRow>> {
    logos::table
        .find(hash)
        .select(LogoRow::as_select())
        .first(conn)
        .optional()
}

/// Deletes the logo at `path` unless a donor still shows it (identical uploads share a row).
pub fn delete_if_unused(conn: &mut DbConn, hash: &str, path: &str) -> QueryResult<()> {
    let users: i64 = donors::table
        .filter(donors::logo_path.eq(path))
        .count()
        .get_result(conn)?;
    if users == 0 {
        diesel::delete(logos::table.find(hash)).execute(conn)?;
    }
    Ok(())
}

/// Points a donor at a logo path, or at none.
pub fn set_donor_logo(conn: &mut DbConn, donor_id: i64, path: Option<&str>) -> QueryResult<usize> {
    diesel::update(donors::table.find(donor_id))
        .set(donors::logo_path.eq(path))
        .execute(conn)
}
