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
