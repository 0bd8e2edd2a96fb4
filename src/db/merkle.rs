//! The Merkle log's tables: leaves (one per ledger entry, in log order), the hashes of complete
//! subtrees, the one-row state (size, frontier, pseudonym key) and the signed checkpoints.
//! Leaves, nodes and checkpoints are only ever added.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::ledger::EntryRow;
use super::schema::{
    ledger_checkpoints, ledger_entries, ledger_log_leaves, ledger_log_nodes, ledger_log_state,
};
use super::DbConn;
use crate::on_backend;

/// Rows per INSERT when many leaves are written at once (three columns each).
pub const BATCH: usize = 5000;

/// The log's state row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_log_state)]
pub struct StateRow {
    pub size: i64,
    pub frontier: Vec<u8>,
    pub log_key: Vec<u8>,
}

/// One leaf.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_log_leaves)]
pub struct LeafRow {
    pub leaf_index: i64,
    pub entry_id: i64,
    pub hash: Vec<u8>,
}

/// The hash of one complete subtree of level ≥ 1.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = ledger_log_nodes)]
pub struct NodeRow {
    pub position: i64,
    pub hash: Vec<u8>,
}

/// A node's position: its level above the leaves times 2^48, plus its index in that level.
pub fn position(level: u32, index: u64) -> i64 {
    ((u64::from(level) << 48) | index) as i64
}

/// A checkpoint as stored; `totals` and `consistency` are JSON.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_checkpoints)]
pub struct CheckpointRow {
    pub tree_size: i64,
    pub root_hash: String,
    pub totals: String,
    pub signed_at: NaiveDateTime,
    pub public_key: String,
    pub signature: String,
    pub consistency: String,
}

/// The state, locked until the transaction ends (PostgreSQL; SQLite's `BEGIN IMMEDIATE` already
/// lets one writer in), made on first use with `new_key` as the pseudonym key.
pub fn state_for_update(
    conn: &mut DbConn,
    new_key: impl FnOnce() -> Vec<u8>,
) -> QueryResult<StateRow> {
    let read = |conn: &mut DbConn| match conn {
        DbConn::Sqlite(c) => ledger_log_state::table
            .find(1)
            .select(StateRow::as_select())
            .first(c)
            .optional(),
        DbConn::Postgres(c) => ledger_log_state::table
            .find(1)
            .select(StateRow::as_select())
            .for_update()
            .first(c)
            .optional(),
    };
    if let Some(state) = read(conn)? {
        return Ok(state);
    }
    let key = new_key();
    on_backend!(conn, |c| diesel::insert_into(ledger_log_state::table)
        .values((
            ledger_log_state::id.eq(1),
            ledger_log_state::size.eq(0_i64),
            ledger_log_state::frontier.eq(Vec::<u8>::new()),
            ledger_log_state::log_key.eq(key),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    read(conn)?.ok_or(diesel::result::Error::NotFound)
}

/// The state without a lock, if the log was ever started.
pub fn state(conn: &mut DbConn) -> QueryResult<Option<StateRow>> {
    ledger_log_state::table
        .find(1)
        .select(StateRow::as_select())
        .first(conn)
        .optional()
}

pub fn save_state(conn: &mut DbConn, size: i64, frontier: &[u8]) -> QueryResult<()> {
    diesel::update(ledger_log_state::table.find(1))
        .set((
            ledger_log_state::size.eq(size),
            ledger_log_state::frontier.eq(frontier),
        ))
        .execute(conn)?;
    Ok(())
}

/// The everyday append: one leaf and the few subtrees it closes, one row per statement. Unlike
/// a multi-row INSERT, whose text depends on its row count, these statements are prepared once
/// per connection and reused.
pub fn insert_appended(conn: &mut DbConn, leaf: &LeafRow, nodes: &[NodeRow]) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(ledger_log_leaves::table)
        .values(leaf)
        .execute(c))?;
    for node in nodes {
        on_backend!(conn, |c| diesel::insert_into(ledger_log_nodes::table)
            .values(node)
            .execute(c))?;
    }
    Ok(())
}

pub fn insert_leaves(conn: &mut DbConn, leaves: &[LeafRow]) -> QueryResult<()> {
    for chunk in leaves.chunks(BATCH) {
        on_backend!(conn, |c| diesel::insert_into(ledger_log_leaves::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn insert_nodes(conn: &mut DbConn, nodes: &[NodeRow]) -> QueryResult<()> {
    for chunk in nodes.chunks(BATCH) {
        on_backend!(conn, |c| diesel::insert_into(ledger_log_nodes::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The leaf of a ledger entry.
pub fn leaf_of_entry(conn: &mut DbConn, entry_id: i64) -> QueryResult<Option<LeafRow>> {
    ledger_log_leaves::table
        .filter(ledger_log_leaves::entry_id.eq(entry_id))
        .select(LeafRow::as_select())
        .first(conn)
        .optional()
}

/// The hashes of these leaves, by index.
pub fn leaf_hashes(conn: &mut DbConn, indexes: &[i64]) -> QueryResult<Vec<(i64, Vec<u8>)>> {
    ledger_log_leaves::table
        .filter(ledger_log_leaves::leaf_index.eq_any(indexes))
        .select((ledger_log_leaves::leaf_index, ledger_log_leaves::hash))
        .load(conn)
}

/// The hashes of these nodes, by position.
pub fn node_hashes(conn: &mut DbConn, positions: &[i64]) -> QueryResult<Vec<(i64, Vec<u8>)>> {
    ledger_log_nodes::table
        .filter(ledger_log_nodes::position.eq_any(positions))
        .select((ledger_log_nodes::position, ledger_log_nodes::hash))
        .load(conn)
}

/// Up to `limit` entries with an id above `after` that have no leaf yet, by id.
pub fn entries_without_leaf(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::id.gt(after))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            ledger_log_leaves::table.filter(ledger_log_leaves::entry_id.eq(ledger_entries::id)),
        )))
        .order(ledger_entries::id.asc())
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)
}

/// Leaves `[from, from + limit)` with their entries, as the rows hold them now (`None` where
/// the entry is gone).
pub fn leaves_with_entries(
    conn: &mut DbConn,
    from: i64,
    limit: i64,
) -> QueryResult<Vec<(LeafRow, Option<EntryRow>)>> {
    ledger_log_leaves::table
        .left_join(ledger_entries::table.on(ledger_entries::id.eq(ledger_log_leaves::entry_id)))
        .filter(ledger_log_leaves::leaf_index.ge(from))
        .filter(ledger_log_leaves::leaf_index.lt(from + limit))
        .order(ledger_log_leaves::leaf_index.asc())
        .select((LeafRow::as_select(), Option::<EntryRow>::as_select()))
        .load(conn)
}

/// Entries that have no leaf: written around Coffer, or before the log existed.
pub fn count_entries_without_leaf(conn: &mut DbConn) -> QueryResult<i64> {
    ledger_entries::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            ledger_log_leaves::table.filter(ledger_log_leaves::entry_id.eq(ledger_entries::id)),
        )))
        .count()
        .get_result(conn)
}

#[derive(QueryableByName)]
struct CurrencyTotal {
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The sum of the amounts of the entries of leaves `[0, size)`, per currency.
pub fn totals_below(conn: &mut DbConn, size: i64) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<CurrencyTotal> = on_backend!(conn, |c| {
        let sql = super::placeholders(
            c,
            "SELECT e.currency AS currency, CAST(SUM(e.amount) AS BIGINT) AS total \
             FROM ledger_log_leaves l JOIN ledger_entries e ON e.id = l.entry_id \
             WHERE l.leaf_index < $1 GROUP BY e.currency ORDER BY e.currency",
        );
        diesel::sql_query(sql).bind::<BigInt, _>(size).load(c)
    })?;
    Ok(rows.into_iter().map(|r| (r.currency, r.total)).collect())
}

pub fn insert_checkpoint(conn: &mut DbConn, row: &CheckpointRow) -> QueryResult<()> {
    diesel::insert_into(ledger_checkpoints::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Every checkpoint, oldest first.
pub fn checkpoints(conn: &mut DbConn) -> QueryResult<Vec<CheckpointRow>> {
    ledger_checkpoints::table
        .order(ledger_checkpoints::tree_size.asc())
        .select(CheckpointRow::as_select())
        .load(conn)
}

pub fn latest_checkpoint(conn: &mut DbConn) -> QueryResult<Option<CheckpointRow>> {
    ledger_checkpoints::table
        .order(ledger_checkpoints::tree_size.desc())
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()
}

/// The first checkpoint that covers leaf `index`.
pub fn checkpoint_covering(conn: &mut DbConn, index: i64) -> QueryResult<Option<CheckpointRow>> {
    ledger_checkpoints::table
        .filter(ledger_checkpoints::tree_size.gt(index))
        .order(ledger_checkpoints::tree_size.asc())
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()
}

pub fn checkpoint_of_size(conn: &mut DbConn, size: i64) -> QueryResult<Option<CheckpointRow>> {
    ledger_checkpoints::table
        .find(size)
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()
}
