//! What the operator's commands ask of the database itself: a consistent copy, its integrity,
//! the append-only triggers, and whether it holds anything yet.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::schema::{admins, donors, ledger_entries, receipts, tiers};
use super::DbConn;

/// The triggers that make the ledger and the receipts append-only, per backend (see the
/// migrations): `coffer check` names any that is missing.
pub fn required_triggers(conn: &DbConn) -> &'static [&'static str] {
    match conn {
        DbConn::Sqlite(_) => &[
            "ledger_entries_refuse_update",
            "ledger_entries_refuse_delete",
            "ledger_entries_refuse_replace",
            "receipts_refuse_update",
            "receipts_refuse_delete",
        ],
        DbConn::Postgres(_) => &[
            "ledger_entries_refuse_change",
            "ledger_entries_refuse_truncate",
            "receipts_refuse_update_delete",
        ],
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The names of the triggers on the ledger's tables as the database has them now.
pub fn triggers(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'trigger' \
             AND tbl_name IN ('ledger_entries', 'receipts')"
        }
        DbConn::Postgres(_) => {
            "SELECT tgname::text AS name FROM pg_trigger \
             WHERE tgrelid IN ('ledger_entries'::regclass, 'receipts'::regclass) \
             AND NOT tgisinternal AND tgenabled <> 'D'"
        }
    };
    let names: Vec<Name> = diesel::sql_query(sql).load(conn)?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

/// SQLite's own verdict on its file: `["ok"]` when sound, else one line per problem.
/// PostgreSQL checks its pages itself; it has no such command.
pub fn integrity_check(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        integrity_check: String,
    }
    match conn {
        DbConn::Sqlite(c) => {
            let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check").load(c)?;
            Ok(lines.into_iter().map(|l| l.integrity_check).collect())
        }
        DbConn::Postgres(_) => Ok(vec!["ok".to_owned()]),
    }
}

/// Writes a consistent copy of a SQLite database to `path` while others keep reading and
/// writing: `VACUUM INTO` reads one snapshot (WAL lets writers go on) and writes a compact
/// file. `path` must not exist.
pub fn sqlite_copy_into(conn: &mut DbConn, path: &str) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(path)
            .execute(c)
            .map(drop),
        DbConn::Postgres(_) => Err(diesel::result::Error::QueryBuilderError(
            "VACUUM INTO is SQLite's; PostgreSQL is backed up with pg_dump".into(),
        )),
    }
}

/// What a database holds, to tell an empty one (safe to restore into) from one in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contents {
    pub ledger_entries: i64,
    pub donors: i64,
    pub tiers: i64,
    pub admins: i64,
    pub receipts: i64,
}

impl Contents {
    /// True when nothing a treasurer recorded is there.
    pub fn is_empty(&self) -> bool {
        self.ledger_entries == 0 && self.donors == 0 && self.tiers == 0 && self.admins == 0
    }
}

/// Counts what a database holds; a database without Coffer's tables holds nothing.
pub fn contents(conn: &mut DbConn) -> QueryResult<Contents> {
    Ok(Contents {
        ledger_entries: ledger_entries::table.count().get_result(conn)?,
        donors: donors::table.count().get_result(conn)?,
        tiers: tiers::table.count().get_result(conn)?,
        admins: admins::table.count().get_result(conn)?,
        receipts: receipts::table.count().get_result(conn)?,
    })
}

/// True when the database has Coffer's ledger table (it was migrated at least once).
pub fn has_ledger(conn: &mut DbConn) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'ledger_entries'"
        }
        DbConn::Postgres(_) => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'ledger_entries'"
        }
    };
    let found: Found = diesel::sql_query(sql).get_result(conn)?;
    Ok(found.n > 0)
}

/// Every entry that others reverse, with its amount and what its refunds and corrections sum
/// to: `(id, amount, refunded, corrected)`.
pub fn reversed_entries(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = BigInt)]
        amount: i64,
        #[diesel(sql_type = BigInt)]
        refunded: i64,
        #[diesel(sql_type = BigInt)]
        corrected: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT o.id AS id, o.amount AS amount, \
         CAST(COALESCE(SUM(CASE WHEN r.kind = 'refund' THEN r.amount ELSE 0 END), 0) AS BIGINT) AS refunded, \
         CAST(COALESCE(SUM(CASE WHEN r.kind <> 'refund' THEN r.amount ELSE 0 END), 0) AS BIGINT) AS corrected \
         FROM ledger_entries r JOIN ledger_entries o ON o.id = r.reverses \
         GROUP BY o.id, o.amount ORDER BY o.id",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.amount, r.refunded, r.corrected))
        .collect())
}

/// The years that have receipts, in order.
pub fn receipt_years(conn: &mut DbConn) -> QueryResult<Vec<i32>> {
    receipts::table
        .select(receipts::year)
        .distinct()
        .order(receipts::year)
        .load(conn)
}
