//! What imports need beyond the other tables' queries: the platforms' ids of donors, and rows
//! restored from Coffer's own export with the ids they had.

use diesel::prelude::*;

use super::donors::NewDonor;
use super::ledger::NewEntry;
use super::schema::{donors, ledger_entries};
use super::DbConn;

diesel::table! {
    /// A platform's id of a supporter and the donor it is in Coffer.
    import_identities (source, external_id) {
        source -> Text,
        external_id -> Text,
        donor_id -> BigInt,
    }
}

/// The donor a platform's supporter was imported as, if any.
pub fn identity_donor(
    conn: &mut DbConn,
    source: &str,
    external_id: &str,
) -> QueryResult<Option<i64>> {
    import_identities::table
        .filter(import_identities::source.eq(source))
        .filter(import_identities::external_id.eq(external_id))
        .select(import_identities::donor_id)
        .first(conn)
        .optional()
}

/// Remembers which donor a platform's supporter is.
pub fn remember_identity(
    conn: &mut DbConn,
    source: &str,
    external_id: &str,
    donor_id: i64,
) -> QueryResult<()> {
    diesel::insert_into(import_identities::table)
        .values((
            import_identities::source.eq(source),
            import_identities::external_id.eq(external_id),
            import_identities::donor_id.eq(donor_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A ledger entry with the id it had in the export it comes from.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct RestoredEntry {
    pub id: i64,
    #[diesel(embed)]
    pub entry: NewEntry,
}

/// A donor with the id it had in the export it comes from.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = donors)]
pub struct RestoredDonor {
    pub id: i64,
    #[diesel(embed)]
    pub donor: NewDonor,
}

pub fn restore_entry(conn: &mut DbConn, row: &RestoredEntry) -> QueryResult<()> {
    diesel::insert_into(ledger_entries::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn restore_donor(conn: &mut DbConn, row: &RestoredDonor) -> QueryResult<()> {
    diesel::insert_into(donors::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// After rows were inserted with their ids, PostgreSQL's identity sequences must move past them
/// (SQLite takes the largest id plus one by itself).
pub fn move_id_sequences_past_restored_rows(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Postgres(c) = conn {
        for table in ["donors", "ledger_entries"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1), \
                 (SELECT COUNT(*) > 0 FROM {table}))"
            ))
            .execute(c)?;
        }
    }
    Ok(())
}
