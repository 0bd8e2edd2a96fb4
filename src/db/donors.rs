//! Donors: rows and queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::donors;
use super::DbConn;
use crate::on_backend;

/// A donor as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = donors)]
pub struct DonorRow {
    pub id: i64,
    pub public_name: String,
    pub legal_name: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    pub logo_path: Option<String>,
    pub consent_name: bool,
    pub consent_logo: bool,
    pub consent_link: bool,
    pub consent_handle: bool,
    pub consent_amount: bool,
    pub anonymous: bool,
    pub locale: Option<String>,
    pub pinned_tier_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub erased_at: Option<NaiveDateTime>,
}

/// What the public wall reads of a donor: no email, legal name or dates.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = donors)]
pub struct WallDonorRow {
    pub id: i64,
    pub public_name: String,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    pub logo_path: Option<String>,
    pub consent_name: bool,
    pub consent_logo: bool,
    pub consent_link: bool,
    pub consent_handle: bool,
    pub consent_amount: bool,
    pub anonymous: bool,
    pub pinned_tier_id: Option<i64>,
}

/// Every donor who is not erased, as the wall reads them, oldest first.
pub fn list_for_wall(conn: &mut DbConn) -> QueryResult<Vec<WallDonorRow>> {
    donors::table
        .filter(donors::erased_at.is_null())
        .select(WallDonorRow::as_select())
        .order(donors::id.asc())
        .load(conn)
}

/// The fields of a new donor.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = donors)]
pub struct NewDonor {
    pub public_name: String,
    pub legal_name: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    pub logo_path: Option<String>,
    pub consent_name: bool,
    pub consent_logo: bool,
    pub consent_link: bool,
    pub consent_handle: bool,
    pub consent_amount: bool,
    pub anonymous: bool,
    pub locale: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The fields an update may change: `None` keeps a field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = donors)]
pub struct DonorChanges {
    pub public_name: Option<String>,
    pub legal_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub fediverse_handle: Option<Option<String>>,
    pub consent_name: Option<bool>,
    pub consent_logo: Option<bool>,
    pub consent_link: Option<bool>,
    pub consent_handle: Option<bool>,
    pub consent_amount: Option<bool>,
    pub anonymous: Option<bool>,
    pub locale: Option<Option<String>>,
    pub pinned_tier_id: Option<Option<i64>>,
}

impl DonorChanges {
    /// True when the update would change nothing (diesel refuses an empty SET).
    pub fn is_empty(&self) -> bool {
        self.public_name.is_none()
            && self.legal_name.is_none()
            && self.email.is_none()
            && self.website.is_none()
            && self.fediverse_handle.is_none()
            && self.consent_name.is_none()
            && self.consent_logo.is_none()
            && self.consent_link.is_none()
            && self.consent_handle.is_none()
            && self.consent_amount.is_none()
            && self.anonymous.is_none()
            && self.locale.is_none()
            && self.pinned_tier_id.is_none()
    }
}

pub fn insert(conn: &mut DbConn, new: &NewDonor) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(donors::table)
        .values(new)
        .returning(donors::id)
        .get_result(c))
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<DonorRow>> {
    donors::table
        .find(id)
        .select(DonorRow::as_select())
        .first(conn)
        .optional()
}

/// Donors by id, a page at a time.
pub fn list(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<Vec<DonorRow>> {
    donors::table
        .select(DonorRow::as_select())
        .order(donors::id.asc())
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// Every donor who has not been erased, for the wall.
pub fn list_current(conn: &mut DbConn) -> QueryResult<Vec<DonorRow>> {
    donors::table
        .filter(donors::erased_at.is_null())
        .select(DonorRow::as_select())
        .order(donors::id.asc())
        .load(conn)
}

pub fn update(conn: &mut DbConn, id: i64, changes: &DonorChanges) -> QueryResult<usize> {
    if changes.is_empty() {
        return Ok(0);
    }
    diesel::update(donors::table.find(id))
        .set(changes)
        .execute(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    donors::table.count().get_result(conn)
}

/// Donors whose public name, legal name or email contains `needle` (case-insensitive), by id.
pub fn search(conn: &mut DbConn, needle: &str, limit: i64) -> QueryResult<Vec<DonorRow>> {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    donors::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("(LOWER(public_name) LIKE ")
                .bind::<diesel::sql_types::Text, _>(pattern.clone())
                .sql(" ESCAPE '\\' OR LOWER(COALESCE(legal_name, '')) LIKE ")
                .bind::<diesel::sql_types::Text, _>(pattern.clone())
                .sql(" ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE ")
                .bind::<diesel::sql_types::Text, _>(pattern)
                .sql(" ESCAPE '\\')"),
        )
        .select(DonorRow::as_select())
        .order(donors::id.asc())
        .limit(limit)
        .load(conn)
}

/// Pseudonymises a donor who is not erased yet: every personal detail is cleared, consent is
/// withdrawn and the name becomes a placeholder; their ledger rows stay. False when the donor
/// was already erased (or does not exist).
pub fn erase(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        donors::table
            .filter(donors::id.eq(id))
            .filter(donors::erased_at.is_null()),
    )
    .set((
        donors::public_name.eq(format!("Erased donor {id}")),
        donors::legal_name.eq(None::<String>),
        donors::email.eq(None::<String>),
        donors::website.eq(None::<String>),
        donors::fediverse_handle.eq(None::<String>),
        donors::logo_path.eq(None::<String>),
        donors::consent_name.eq(false),
        donors::consent_logo.eq(false),
        donors::consent_link.eq(false),
        donors::consent_handle.eq(false),
        donors::consent_amount.eq(false),
        donors::anonymous.eq(true),
        donors::locale.eq(None::<String>),
        donors::pinned_tier_id.eq(None::<i64>),
        donors::erased_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// The oldest donor, not erased, with this email (compared without case).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<DonorRow>> {
    donors::table
        .filter(donors::erased_at.is_null())
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("LOWER(email) = ")
                .bind::<diesel::sql_types::Text, _>(email.to_lowercase()),
        )
        .select(DonorRow::as_select())
        .order(donors::id.asc())
        .first(conn)
        .optional()
}
