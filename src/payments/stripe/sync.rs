//! `coffer stripe sync`: what the webhooks missed, read back from Stripe's event list.
//!
//! Stripe keeps an account's events for 30 days (`GET /v1/events`, newest first, paged with
//! `starting_after`). Each listed event goes through the very path a webhook delivery takes
//! ([`super::to_fact`], then [`crate::ledger::payments::apply_event`]), oldest first, so an event
//! already applied by its webhook (or by an earlier sync) changes nothing, and running the sync
//! twice changes nothing.

use serde_json::Value;

use super::{Api, ApiError, VerifiedEvent};
use crate::db::{self, Pool};
use crate::ledger::payments::{self, EventOutcome, STRIPE};
use crate::ledger::write::WriteUnit;

/// Events per page (Stripe's maximum).
const PAGE: &str = "100";

/// What a sync read and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    /// Events Stripe listed.
    pub read: usize,
    /// Applied now: the webhooks had missed them.
    pub applied: usize,
    /// Applied before (by a webhook or an earlier sync): nothing changed.
    pub already: usize,
    /// Not Coffer's business.
    pub ignored: usize,
}

impl std::fmt::Display for Synced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "read {} Stripe events: {} applied now, {} already applied, {} not Coffer's",
            self.read, self.applied, self.already, self.ignored
        )
    }
}

/// Every event Stripe lists since `since` (a Unix time; all it keeps without), oldest first.
/// `progress` is told how many have been read after each page.
pub async fn list_events(
    api: &Api,
    since: Option<i64>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Vec<VerifiedEvent>, ApiError> {
    let since = since.map(|s| s.to_string());
    let mut events = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut query: Vec<(&str, &str)> = vec![("limit", PAGE)];
        if let Some(since) = &since {
            query.push(("created[gte]", since));
        }
        if let Some(after) = &after {
            query.push(("starting_after", after));
        }
        let page = api.get("/events", &query).await?;
        let listed = page
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError("Stripe's event list has no “data”".to_owned()))?;
        for event in listed {
            events.push(
                VerifiedEvent::from_value(event)
                    .map_err(|e| ApiError(format!("a listed event: {e}")))?,
            );
        }
        progress(events.len());
        let more = page.get("has_more").and_then(Value::as_bool) == Some(true);
        match events.last() {
            Some(last) if more && !listed.is_empty() => after = Some(last.id.clone()),
            _ => break,
        }
    }
    // Listed newest first; applied in the order they happened.
    events.reverse();
    Ok(events)
}

/// Why a sync stopped (what it had applied stays applied).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Stripe: {0}")]
    Stripe(#[from] ApiError),
    #[error(transparent)]
    Ledger(#[from] crate::error::AppError),
    #[error("another process is syncing with Stripe")]
    Busy,
}

/// Applies every listed event not yet processed, through the webhook's exactly-once path.
pub async fn apply_listed(
    api: &Api,
    pool: &Pool,
    writes: &WriteUnit,
    events: Vec<VerifiedEvent>,
) -> Result<Synced, SyncError> {
    let mut synced = Synced {
        read: events.len(),
        ..Synced::default()
    };
    for event in events {
        let id = event.id.clone();
        let seen = blocking(pool, move |conn| payments::is_processed(conn, STRIPE, &id)).await?;
        if seen {
            synced.already += 1;
            continue;
        }
        let fact = super::to_fact(Some(api), &event).await?;
        let writes = writes.clone();
        let outcome = blocking(pool, move |conn| {
            payments::apply_event(conn, &writes, &fact)
        })
        .await?;
        match outcome {
            EventOutcome::Applied => synced.applied += 1,
            EventOutcome::Duplicate => synced.already += 1,
            EventOutcome::Ignored => synced.ignored += 1,
        }
    }
    Ok(synced)
}

/// Lists and applies in one go, with PostgreSQL's session lock held so that one process at a
/// time syncs (the others answer [`SyncError::Busy`]); SQLite serves one process.
pub async fn sync(
    api: &Api,
    pool: &Pool,
    writes: &WriteUnit,
    since: Option<i64>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Synced, SyncError> {
    // The lock belongs to one connection: it is held out of the pool for the whole sync.
    let pool_for_lock = pool.clone();
    let (mut holder, locked) = tokio::task::spawn_blocking(move || {
        let mut conn = pool_for_lock.get()?;
        let locked = db::try_session_lock(&mut conn, SYNC_LOCK)?;
        Ok::<_, crate::error::AppError>((conn, locked))
    })
    .await
    .map_err(|e| crate::error::AppError::Internal(format!("a blocking task: {e}")))??;
    if !locked {
        return Err(SyncError::Busy);
    }
    let result = async {
        let events = list_events(api, since, progress).await?;
        apply_listed(api, pool, writes, events).await
    }
    .await;
    tokio::task::spawn_blocking(move || db::session_unlock(&mut holder, SYNC_LOCK))
        .await
        .map_err(|e| crate::error::AppError::Internal(format!("a blocking task: {e}")))?
        .map_err(crate::error::AppError::from)?;
    result
}

/// The advisory lock the sync holds on PostgreSQL.
const SYNC_LOCK: i64 = 0x636f_6666_6572_5359; // "cofferSY"

async fn blocking<T, F>(pool: &Pool, work: F) -> Result<T, crate::error::AppError>
where
    F: FnOnce(&mut db::DbConn) -> crate::error::AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await
    .map_err(|e| crate::error::AppError::Internal(format!("a blocking task: {e}")))?
}
