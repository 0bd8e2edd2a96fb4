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

/// A token as listed: never its hash.
#[derive(Debug, Clone, Queryable)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Every token, oldest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<TokenRow>> {
    api_tokens::table
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::created_at,
            api_tokens::revoked_at,
        ))
        .order(api_tokens::id)
        .load(conn)
}

/// Revokes the live tokens named `name`; returns their ids.
pub fn revoke_by_name(conn: &mut DbConn, name: &str, at: NaiveDateTime) -> QueryResult<Vec<i64>> {
    let ids: Vec<i64> = api_tokens::table
        .filter(api_tokens::name.eq(name))
        .filter(api_tokens::revoked_at.is_null())
        .select(api_tokens::id)
        .load(conn)?;
    diesel::update(api_tokens::table.filter(api_tokens::id.eq_any(&ids)))
        .set(api_tokens::revoked_at.eq(Some(at)))
        .execute(conn)?;
    Ok(ids)
}

/// Revokes one live token; false when it was not live.
pub fn revoke(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n > 0)
}
