//! Recurring pledges: a promise of an amount each month or year, from some source.

use chrono::NaiveDateTime;

use crate::db::{self, pledges::PledgeRow, DbConn};
use crate::domain::{Interval, Money, PledgeStatus, Source};
use crate::error::{AppError, AppResult};

/// A pledge as the rest of the app sees it.
#[derive(Debug, Clone)]
pub struct Pledge {
    pub id: i64,
    pub donor_id: i64,
    pub tier_id: Option<i64>,
    pub amount: Money,
    pub interval: Interval,
    pub status: PledgeStatus,
    pub source: Source,
    pub external_ref: Option<String>,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

impl TryFrom<PledgeRow> for Pledge {
    type Error = AppError;
    fn try_from(row: PledgeRow) -> AppResult<Self> {
        let internal =
            |e: crate::domain::DomainError| AppError::Internal(format!("stored pledge: {e}"));
        Ok(Self {
            amount: super::stored_money(row.amount, &row.currency)?,
            interval: Interval::parse(&row.interval).map_err(internal)?,
            status: PledgeStatus::parse(&row.status).map_err(internal)?,
            source: Source::parse(&row.source).map_err(internal)?,
            id: row.id,
            donor_id: row.donor_id,
            tier_id: row.tier_id,
            external_ref: row.external_ref,
            started_at: row.started_at,
            ended_at: row.ended_at,
        })
    }
}

/// A new pledge's validated fields.
#[derive(Debug, Clone)]
pub struct PledgeDraft {
    pub donor_id: i64,
    pub tier_id: Option<i64>,
    pub amount: Money,
    pub interval: Interval,
    pub source: Source,
    pub external_ref: Option<String>,
    pub started_at: Option<NaiveDateTime>,
}

pub fn create(conn: &mut DbConn, draft: PledgeDraft) -> AppResult<Pledge> {
    let donor =
        super::donors::find(conn, draft.donor_id).map_err(|e| e.missing_reference("donor_id"))?;
    if donor.erased {
        return Err(AppError::invalid("donor_id", "this donor has been erased"));
    }
    if let Some(tier_id) = draft.tier_id {
        super::tiers::find(conn, tier_id).map_err(|e| e.missing_reference("tier_id"))?;
    }
    if let Some(external_ref) = &draft.external_ref {
        if db::pledges::find_by_external_ref(conn, draft.source.as_str(), external_ref)?.is_some() {
            return Err(AppError::Conflict(format!(
                "a pledge from {} with the reference “{external_ref}” is already recorded",
                draft.source
            )));
        }
    }
    let id = db::pledges::insert(
        conn,
        &db::pledges::NewPledge {
            donor_id: draft.donor_id,
            tier_id: draft.tier_id,
            amount: draft.amount.minor(),
            currency: draft.amount.currency().code().to_owned(),
            interval: draft.interval.as_str().to_owned(),
            status: PledgeStatus::Active.as_str().to_owned(),
            source: draft.source.as_str().to_owned(),
            external_ref: draft.external_ref,
            started_at: match draft.started_at {
                Some(at) => super::check_date("started_at", at)?,
                None => db::now(),
            },
        },
    )?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Pledge> {
    db::pledges::find(conn, id)?
        .ok_or_else(|| AppError::not_found("pledge", id))?
        .try_into()
}

pub fn list(
    conn: &mut DbConn,
    donor_id: Option<i64>,
    status: Option<PledgeStatus>,
) -> AppResult<Vec<Pledge>> {
    db::pledges::list(conn, donor_id, status.map(|s| s.as_str()))?
        .into_iter()
        .map(Pledge::try_from)
        .collect()
}

/// Moves a pledge to another status and returns it with the status it had. A cancelled pledge
/// stays cancelled: a donor who comes back makes a new pledge, so the history of the old one
/// stays true. The pledge is locked first, so the change is based on the status it read even
/// when another writer changes it at the same moment.
pub fn change_status(
    conn: &mut DbConn,
    id: i64,
    status: PledgeStatus,
) -> AppResult<(Pledge, PledgeStatus)> {
    let pledge: Pledge = db::pledges::find_for_update(conn, id)?
        .ok_or_else(|| AppError::not_found("pledge", id))?
        .try_into()?;
    let before = pledge.status;
    if before == PledgeStatus::Cancelled && status != PledgeStatus::Cancelled {
        return Err(AppError::Conflict(format!(
            "pledge {id} is cancelled; record a new pledge instead"
        )));
    }
    if before == status {
        return Ok((pledge, before));
    }
    let ended_at = (status == PledgeStatus::Cancelled).then(db::now);
    db::pledges::set_status(conn, id, status.as_str(), ended_at)?;
    Ok((find(conn, id)?, before))
}
