//! Donors: who gives, and which of their details they let the wall show.

use chrono::NaiveDateTime;

use crate::db::{self, donors::DonorRow, DbConn};
use crate::domain::{Consent, Email, FediverseHandle, WebUrl};
use crate::error::{AppError, AppResult};

/// A donor as the rest of the app sees it.
#[derive(Debug, Clone)]
pub struct Donor {
    pub id: i64,
    pub public_name: String,
    pub legal_name: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub fediverse_handle: Option<FediverseHandle>,
    pub logo_path: Option<String>,
    pub consent: Consent,
    pub anonymous: bool,
    pub locale: Option<String>,
    pub pinned_tier_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub erased: bool,
}

impl From<DonorRow> for Donor {
    fn from(row: DonorRow) -> Self {
        Self {
            id: row.id,
            public_name: row.public_name,
            legal_name: row.legal_name,
            email: row.email,
            website: row.website,
            // Stored handles were validated on the way in; an unreadable one is simply not shown.
            fediverse_handle: row
                .fediverse_handle
                .as_deref()
                .and_then(|h| FediverseHandle::parse(h).ok()),
            logo_path: row.logo_path,
            consent: Consent {
                name: row.consent_name,
                logo: row.consent_logo,
                link: row.consent_link,
                handle: row.consent_handle,
                amount: row.consent_amount,
            },
            anonymous: row.anonymous,
            locale: row.locale,
            pinned_tier_id: row.pinned_tier_id,
            created_at: row.created_at,
            erased: row.erased_at.is_some(),
        }
    }
}

/// A new donor's validated fields.
#[derive(Debug, Clone)]
pub struct DonorDraft {
    pub public_name: String,
    pub legal_name: Option<String>,
    pub email: Option<Email>,
    pub website: Option<WebUrl>,
    pub fediverse_handle: Option<FediverseHandle>,
    pub logo_path: Option<String>,
    pub anonymous: bool,
    pub consent: Consent,
    pub locale: Option<String>,
}

/// Changes to a donor: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct DonorUpdate {
    pub public_name: Option<String>,
    pub legal_name: Option<Option<String>>,
    pub email: Option<Option<Email>>,
    pub website: Option<Option<WebUrl>>,
    pub fediverse_handle: Option<Option<FediverseHandle>>,
    pub anonymous: Option<bool>,
    pub consent: Option<Consent>,
    pub locale: Option<Option<String>>,
}

impl DonorDraft {
    /// The row this draft becomes.
    pub fn into_row(self, created_at: chrono::NaiveDateTime) -> db::donors::NewDonor {
        db::donors::NewDonor {
            public_name: self.public_name,
            legal_name: self.legal_name,
            email: self.email.map(|e| e.as_str().to_owned()),
            website: self.website.map(|w| w.as_str().to_owned()),
            fediverse_handle: self.fediverse_handle.map(|h| h.as_str().to_owned()),
            logo_path: self.logo_path,
            consent_name: self.consent.name,
            consent_logo: self.consent.logo,
            consent_link: self.consent.link,
            consent_handle: self.consent.handle,
            consent_amount: self.consent.amount,
            anonymous: self.anonymous,
            locale: self.locale,
            created_at,
        }
    }
}

pub fn create(conn: &mut DbConn, draft: DonorDraft) -> AppResult<Donor> {
    let id = db::donors::insert(conn, &draft.into_row(db::now()))?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Donor> {
    db::donors::find(conn, id)?
        .map(Donor::from)
        .ok_or_else(|| AppError::not_found("donor", id))
}

pub fn list(conn: &mut DbConn, page: i64, per_page: i64) -> AppResult<Vec<Donor>> {
    Ok(db::donors::list(conn, page * per_page, per_page)?
        .into_iter()
        .map(Donor::from)
        .collect())
}

pub fn update(conn: &mut DbConn, id: i64, update: DonorUpdate) -> AppResult<Donor> {
    let donor = find(conn, id)?;
    if donor.erased {
        return Err(AppError::Conflict(format!("donor {id} has been erased")));
    }
    let consent = update.consent;
    let changes = db::donors::DonorChanges {
        public_name: update.public_name,
        legal_name: update.legal_name,
        email: update.email.map(|e| e.map(|e| e.as_str().to_owned())),
        website: update.website.map(|w| w.map(|w| w.as_str().to_owned())),
        fediverse_handle: update
            .fediverse_handle
            .map(|h| h.map(|h| h.as_str().to_owned())),
        consent_name: consent.map(|c| c.name),
        consent_logo: consent.map(|c| c.logo),
        consent_link: consent.map(|c| c.link),
        consent_handle: consent.map(|c| c.handle),
        consent_amount: consent.map(|c| c.amount),
        anonymous: update.anonymous,
        locale: update.locale,
        pinned_tier_id: None,
    };
    db::donors::update(conn, id, &changes)?;
    find(conn, id)
}

/// Pins a donor to a tier whatever their support (or removes the pin). The reason is required
/// because the write unit's audit record carries it.
pub fn pin_tier(
    conn: &mut DbConn,
    id: i64,
    tier_id: Option<i64>,
    reason: &str,
) -> AppResult<Donor> {
    find(conn, id)?;
    super::required_text("reason", reason, 500)?;
    if let Some(tier_id) = tier_id {
        let tier = super::tiers::find(conn, tier_id).map_err(|e| e.missing_reference("tier_id"))?;
        if tier.archived {
            return Err(AppError::invalid("tier_id", "this tier is archived"));
        }
    }
    let changes = db::donors::DonorChanges {
        pinned_tier_id: Some(tier_id),
        ..Default::default()
    };
    db::donors::update(conn, id, &changes)?;
    find(conn, id)
}

/// Donors whose name or email contains `needle`, case-insensitive, at most `limit` of them.
pub fn search(conn: &mut DbConn, needle: &str, limit: i64) -> AppResult<Vec<Donor>> {
    Ok(db::donors::search(conn, needle.trim(), limit)?
        .into_iter()
        .map(Donor::from)
        .collect())
}

/// How many donors are recorded, erased ones included.
pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(db::donors::count(conn)?)
}

/// Erases a donor on request: their personal details go, their ledger rows and pledges stay,
/// so every total stays true. An erased donor is never shown again, and cannot be edited.
pub fn erase(conn: &mut DbConn, id: i64) -> AppResult<Donor> {
    let donor = find(conn, id)?;
    if donor.erased || !db::donors::erase(conn, id, db::now())? {
        return Err(AppError::Conflict(format!("donor {id} is already erased")));
    }
    if let Some(logo) = &donor.logo_path {
        super::logos::forget(conn, logo)?;
    }
    find(conn, id)
}
