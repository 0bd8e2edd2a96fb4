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
        return Err(AppError::Unauthorized);
    }
    db::api_tokens::find_live(conn, &hash(token))?.ok_or(AppError::Unauthorized)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
