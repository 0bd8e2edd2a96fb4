//! Instance settings: one row per setting the treasurer changed; no row means the default.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::settings;
use super::DbConn;
use crate::on_backend;

/// Every stored setting, `(name, value)`.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    settings::table
        .select((settings::name, settings::value))
        .order(settings::name)
        .load(conn)
}

/// Stores a setting, replacing its earlier value (settings are not ledger rows).
pub fn put(conn: &mut DbConn, name: &str, value: &str, at: NaiveDateTime) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(settings::table)
        .values((
            settings::name.eq(name),
            settings::value.eq(value),
            settings::updated_at.eq(at),
        ))
        .on_conflict(settings::name)
        .do_update()
        .set((
            settings::value.eq(excluded(settings::value)),
            settings::updated_at.eq(excluded(settings::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

/// Forgets a setting, so that its default applies again.
pub fn remove(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    diesel::delete(settings::table.find(name)).execute(conn)?;
    Ok(())
}
