//! The audit log: who changed what outside the ledger (pins, status changes, tokens).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::DbConn;

/// One audit record to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRecord<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub created_at: NaiveDateTime,
    /// The client address of the request that made the change, when one did.
    pub address: Option<&'a str>,
}

pub fn record(conn: &mut DbConn, record: &NewAuditRecord<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(record)
        .execute(conn)
        .map(drop)
}

/// `(action, subject, detail)` of the newest records first.
pub fn recent(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(String, String, String)>> {
    audit_log::table
        .select((audit_log::action, audit_log::subject, audit_log::detail))
        .order(audit_log::id.desc())
        .limit(limit)
        .load(conn)
}

/// The newest record's id, 0 when there is none: every write through the write unit adds a
/// record, so this is a version of everything written, by any process.
pub fn latest_id(conn: &mut DbConn) -> QueryResult<i64> {
    use diesel::dsl::max;
    audit_log::table
        .select(max(audit_log::id))
        .first::<Option<i64>>(conn)
        .map(|id| id.unwrap_or(0))
}

/// One record as the console lists it.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

/// The newest records first, optionally only one actor's or one action's, below `before` (an id).
pub fn list(
    conn: &mut DbConn,
    actor: Option<&str>,
    action: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select((
            audit_log::id,
            audit_log::actor,
            audit_log::action,
            audit_log::subject,
            audit_log::detail,
            audit_log::created_at,
        ))
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(actor) = actor {
        query = query.filter(audit_log::actor.eq(actor.to_owned()));
    }
    if let Some(action) = action {
        query = query.filter(audit_log::action.eq(action.to_owned()));
    }
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    query.load(conn)
}
