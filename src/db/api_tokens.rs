//! API tokens: only a SHA-256 hash of each token is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::api_tokens;
use super::DbConn;
use crate::on_backend;

pub fn insert(
    conn: &mut DbConn,
    name: &str,
    token_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(at),
        ))
        .returning(api_tokens::id)
        .get_result(c))
}

/// The id of the live token with this hash.
pub fn find_live(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<i64>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(api_tokens::id)
        .first(conn)
        .optional()
}
