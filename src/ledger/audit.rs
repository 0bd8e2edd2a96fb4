//! Reading the audit log: every write, who made it, when, and what it changed.

use crate::db::{self, audit::AuditRow, DbConn};
use crate::error::AppResult;

/// The newest records first, optionally one actor's (`admin:3`, `api-token:1`) or one
/// action's (`donation.record`), older than `before` (a record id) when paging.
pub fn list(
    conn: &mut DbConn,
    actor: Option<&str>,
    action: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    Ok(db::audit::list(conn, actor, action, before, limit)?)
}
