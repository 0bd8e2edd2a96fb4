//! Stored responses of admin API writes, keyed by token and `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::DbConn;

/// A response stored for replay.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub token_id: i64,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, token_id: i64, key: &str) -> QueryResult<Option<StoredResponse>> {
    idempotency_keys::table
        .find((token_id, key))
        .select(StoredResponse::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, stored: &StoredResponse) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(stored)
        .execute(conn)
        .map(drop)
}
