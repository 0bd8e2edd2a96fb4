//! Console accounts and their server-side sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{admin_sessions, admins};
use super::DbConn;
use crate::on_backend;

/// An account as stored.
#[derive(Debug, Clone, Queryable)]
pub struct AdminRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
}

const ADMIN_COLUMNS: (
    admins::id,
    admins::email,
    admins::role,
    admins::password_hash,
    admins::created_at,
    admins::disabled_at,
) = (
    admins::id,
    admins::email,
    admins::role,
    admins::password_hash,
    admins::created_at,
    admins::disabled_at,
);

pub fn insert(
    conn: &mut DbConn,
    email: &str,
    role: &str,
    password_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(admins::table)
        .values((
            admins::email.eq(email),
            admins::role.eq(role),
            admins::password_hash.eq(password_hash),
            admins::created_at.eq(at),
        ))
        .returning(admins::id)
        .get_result(c))
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<AdminRow>> {
    admins::table
        .filter(admins::email.eq(email))
        .select(ADMIN_COLUMNS)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<AdminRow>> {
    admins::table
        .find(id)
        .select(ADMIN_COLUMNS)
        .first(conn)
        .optional()
}

/// Every account, oldest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<AdminRow>> {
    admins::table
        .select(ADMIN_COLUMNS)
        .order(admins::id)
        .load(conn)
}

/// How many accounts exist, disabled ones included.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    admins::table.count().get_result(conn)
}

/// Disables a live account and ends its sessions; false when there was no live account.
pub fn disable(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        admins::table
            .filter(admins::id.eq(id))
            .filter(admins::disabled_at.is_null()),
    )
    .set(admins::disabled_at.eq(Some(at)))
    .execute(conn)?;
    diesel::delete(admin_sessions::table.filter(admin_sessions::admin_id.eq(id))).execute(conn)?;
    Ok(changed > 0)
}

/// A session as stored, with its account's role and state.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: String,
    pub admin_id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub csrf_token: String,
    pub email: String,
    pub role: String,
    pub disabled_at: Option<NaiveDateTime>,
}

pub fn insert_session(
    conn: &mut DbConn,
    id: &str,
    admin_id: i64,
    csrf_token: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(admin_sessions::table)
        .values((
            admin_sessions::id.eq(id),
            admin_sessions::admin_id.eq(admin_id),
            admin_sessions::created_at.eq(at),
            admin_sessions::last_seen_at.eq(at),
            admin_sessions::csrf_token.eq(csrf_token),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find_session(conn: &mut DbConn, id: &str) -> QueryResult<Option<SessionRow>> {
    admin_sessions::table
        .inner_join(admins::table)
        .filter(admin_sessions::id.eq(id))
        .select((
            admin_sessions::id,
            admin_sessions::admin_id,
            admin_sessions::created_at,
            admin_sessions::last_seen_at,
            admin_sessions::csrf_token,
            admins::email,
            admins::role,
            admins::disabled_at,
        ))
        .first(conn)
        .optional()
}

pub fn touch_session(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(admin_sessions::table.filter(admin_sessions::id.eq(id)))
        .set(admin_sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn delete_session(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(admin_sessions::table.filter(admin_sessions::id.eq(id))).execute(conn)
}

/// Removes sessions idle since before `idle_before` or started before `started_before`.
pub fn delete_expired_sessions(
    conn: &mut DbConn,
    idle_before: NaiveDateTime,
    started_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        admin_sessions::table.filter(
            admin_sessions::last_seen_at
                .lt(idle_before)
                .or(admin_sessions::created_at.lt(started_before)),
        ),
    )
    .execute(conn)
}
