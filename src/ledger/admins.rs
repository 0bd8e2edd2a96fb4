//! Console accounts: argon2id password hashes, and server-side sessions that expire when idle,
//! after a fixed lifetime, at sign-out, and when their account is disabled.
//!
//! A session is a random 256-bit token in the cookie; the database keeps only a keyed hash of
//! it (keyed with `COFFER_SECRET_KEY`), so a copy of the database signs nobody in.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::NaiveDateTime;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{self, DbConn};
use crate::domain::{Email, Role};
use crate::error::{AppError, AppResult};

/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: hashing is costly, and nobody types more.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A console account as shown to people: never its hash.
#[derive(Debug, Clone)]
pub struct Admin {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub created_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
}

impl TryFrom<db::admins::AdminRow> for Admin {
    type Error = AppError;
    fn try_from(row: db::admins::AdminRow) -> AppResult<Self> {
        Ok(Self {
            id: row.id,
            role: Role::parse(&row.role)
                .map_err(|e| AppError::Internal(format!("stored role: {e}")))?,
            email: row.email,
            created_at: row.created_at,
            disabled_at: row.disabled_at,
        })
    }
}

/// OWASP's argon2id parameters: 19 MiB, two passes, one lane.
fn hasher() -> AppResult<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Refuses a password that is too short or too long.
pub fn check_password(password: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The argon2id PHC string of a password (slow on purpose: run it off the async workers).
pub fn hash_password(password: &str) -> AppResult<String> {
    check_password(password)?;
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| AppError::Internal(format!("password salt: {e}")))?;
    Ok(hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))?
        .to_string())
}

/// A hash of a password nobody knows, verified against when the email is unknown, so that a
/// wrong email costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        hash_password(&hex::encode(secret)).unwrap_or_default()
    })
}

/// True when `password` matches `hash`; with no hash, spends the same time and says no.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let (hash, real) = match hash {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let Ok(argon2) = hasher() else { return false };
    let matches = argon2.verify_password(password.as_bytes(), &parsed).is_ok();
    real && matches
}

/// Prepares the dummy hash now, so that the first unknown email is not faster than the rest.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// Creates an account (as a write-unit change); the hash comes from [`hash_password`].
pub fn create(conn: &mut DbConn, email: &str, role: Role, password_hash: &str) -> AppResult<Admin> {
    // Accounts are found by their lowercased address, whatever case is typed at sign-in.
    let email = Email::parse(email)
        .map_err(|e| AppError::invalid("email", e.to_string()))?
        .as_str()
        .to_lowercase();
    if db::admins::find_by_email(conn, &email)?.is_some() {
        return Err(AppError::Conflict(format!(
            "an account for {email} already exists"
        )));
    }
    let id = db::admins::insert(conn, &email, role.as_str(), password_hash, db::now())?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Admin> {
    db::admins::find(conn, id)?
        .ok_or_else(|| AppError::not_found("admin", id))?
        .try_into()
}

/// Every account, oldest first.
pub fn list(conn: &mut DbConn) -> AppResult<Vec<Admin>> {
    db::admins::list(conn)?
        .into_iter()
        .map(Admin::try_from)
        .collect()
}

/// True when at least one account exists (then the console needs its secret key).
pub fn any_exist(conn: &mut DbConn) -> AppResult<bool> {
    Ok(db::admins::count(conn)? > 0)
}

/// Disables the live account with this email and ends its sessions (as a write-unit change).
pub fn disable(conn: &mut DbConn, email: &str) -> AppResult<Admin> {
    let email = email.trim().to_lowercase();
    let row = db::admins::find_by_email(conn, &email)?
        .ok_or_else(|| AppError::not_found("admin", &email))?;
    if !db::admins::disable(conn, row.id, db::now())? {
        return Err(AppError::Conflict(format!("{email} is already disabled")));
    }
    find(conn, row.id)
}

/// The live account an email names, with its password hash, for signing in.
pub fn for_sign_in(conn: &mut DbConn, email: &str) -> AppResult<Option<(Admin, String)>> {
    let email = email.trim().to_lowercase();
    let Some(row) = db::admins::find_by_email(conn, &email)? else {
        return Ok(None);
    };
    if row.disabled_at.is_some() {
        return Ok(None);
    }
    let hash = row.password_hash.clone();
    Ok(Some((row.try_into()?, hash)))
}

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused this long is over.
    pub idle: Duration,
    /// A session this old is over, however busy.
    pub lifetime: Duration,
}

/// A live session, as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stored (hashed) id.
    pub id: String,
    pub admin_id: i64,
    pub email: String,
    pub role: Role,
    pub csrf_token: String,
}

/// A new session: the token for the cookie, and the session it opens.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored id of a cookie's token: a hash keyed with the secret key.
pub fn session_id(key: &[u8], token: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(b"coffer-session\0")
            .chain_update(key)
            .chain_update(b"\0")
            .chain_update(token.as_bytes())
            .finalize(),
    )
}

/// Opens a session for an account (as a write-unit change).
pub fn start_session(conn: &mut DbConn, key: &[u8], admin: &Admin) -> AppResult<NewSession> {
    let token = random_hex();
    let csrf_token = random_hex();
    let id = session_id(key, &token);
    db::admins::insert_session(conn, &id, admin.id, &csrf_token, db::now())?;
    Ok(NewSession {
        token,
        session: Session {
            id,
            admin_id: admin.id,
            email: admin.email.clone(),
            role: admin.role,
            csrf_token,
        },
    })
}

/// The live session a cookie's token opens, if any; marks it as seen. Expired sessions (and
/// those of disabled accounts) are removed on the way.
pub fn session(
    conn: &mut DbConn,
    key: &[u8],
    token: &str,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> AppResult<Option<Session>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id = session_id(key, token);
    let Some(row) = db::admins::find_session(conn, &id)? else {
        return Ok(None);
    };
    let idle = chrono::Duration::from_std(policy.idle)
        .map_err(|e| AppError::Internal(format!("idle timeout: {e}")))?;
    let lifetime = chrono::Duration::from_std(policy.lifetime)
        .map_err(|e| AppError::Internal(format!("session lifetime: {e}")))?;
    let expired = now - row.last_seen_at > idle || now - row.created_at > lifetime;
    if expired || row.disabled_at.is_some() {
        db::admins::delete_session(conn, &id)?;
        return Ok(None);
    }
    // A write per request would serialise readers on SQLite; a minute's precision is plenty.
    if now - row.last_seen_at > chrono::Duration::seconds(60) {
        db::admins::touch_session(conn, &id, now)?;
    }
    Ok(Some(Session {
        id: row.id,
        admin_id: row.admin_id,
        email: row.email,
        role: Role::parse(&row.role)
            .map_err(|e| AppError::Internal(format!("stored role: {e}")))?,
        csrf_token: row.csrf_token,
    }))
}

/// Ends a session (as a write-unit change); ending one that is gone is not an error.
pub fn end_session(conn: &mut DbConn, id: &str) -> AppResult<()> {
    db::admins::delete_session(conn, id)?;
    Ok(())
}

/// Removes every expired session.
pub fn sweep_sessions(
    conn: &mut DbConn,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let idle = chrono::Duration::from_std(policy.idle)
        .map_err(|e| AppError::Internal(format!("idle timeout: {e}")))?;
    let lifetime = chrono::Duration::from_std(policy.lifetime)
        .map_err(|e| AppError::Internal(format!("session lifetime: {e}")))?;
    Ok(db::admins::delete_expired_sessions(
        conn,
        now - idle,
        now - lifetime,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password(Some(&hash), "correct horse battery"));
        assert!(!verify_password(Some(&hash), "wrong horse battery"));
        assert!(!verify_password(None, "correct horse battery"));
        assert!(hash_password("short").is_err());
    }
}
