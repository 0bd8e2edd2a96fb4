//! API tokens: generated once, shown once, stored as a SHA-256 hash.
//!
//! A token has 256 bits of randomness, so a fast hash is enough (no password stretching needed)
//! and lets every request find its token with one indexed lookup.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

const PREFIX: &str = "coffer_";

/// Creates a token named `name` and returns its secret, which is not stored anywhere.
pub fn create(conn: &mut DbConn, name: &str) -> AppResult<String> {
    let name = super::required_text("name", name, 100)?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", hex::encode(bytes));
    db::api_tokens::insert(conn, &name, &hash(&token), db::now())?;
    Ok(token)
}

/// The id of the live token matching `token`.
pub fn authenticate(conn: &mut DbConn, token: &str) -> AppResult<i64> {
    if !token.starts_with(PREFIX) {
        return Err(AppError::Unauthenticated);
    }
    db::api_tokens::find_live(conn, &hash(token))?.ok_or(AppError::Unauthenticated)
}

/// A token as an operator sees it: its name and dates, never its secret.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: chrono::NaiveDateTime,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

/// Every token ever created, oldest first.
pub fn list(conn: &mut DbConn) -> AppResult<Vec<TokenInfo>> {
    Ok(db::api_tokens::list(conn)?
        .into_iter()
        .map(|row| TokenInfo {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
        .collect())
}

/// Revokes the live tokens named `name`, effective for the next request (tokens are looked up
/// on every request, never cached). Audited; refused when no live token has that name.
pub fn revoke(conn: &mut DbConn, name: &str, actor: super::write::Actor) -> AppResult<Vec<i64>> {
    let name = super::required_text("name", name, 100)?;
    let now = db::now();
    let ids = db::api_tokens::revoke_by_name(conn, &name, now)?;
    if ids.is_empty() {
        return Err(AppError::not_found(
            "live API token named",
            format!("“{name}”"),
        ));
    }
    for id in &ids {
        db::audit::record(
            conn,
            &db::audit::NewAuditRecord {
                actor: &actor.audit_name(),
                action: "token.revoke",
                subject: &format!("api-token:{id}"),
                detail: &name,
                created_at: now,
                address: None,
            },
        )?;
    }
    Ok(ids)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Revokes one live token by its id (as a write-unit change).
pub fn revoke_id(conn: &mut DbConn, id: i64) -> AppResult<()> {
    if db::api_tokens::revoke(conn, id, db::now())? {
        Ok(())
    } else {
        Err(AppError::not_found("live API token", id))
    }
}
