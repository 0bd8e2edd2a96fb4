//! Rate-limit attempts kept in the database, so that every process sharing a PostgreSQL
//! database counts the same attempts: two `coffer serve` processes give no more tries than one.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::rate_limit_attempts;
use super::DbConn;

/// Attempts older than this are deleted whoever they belonged to; longer than any window.
const KEEP: Duration = Duration::from_secs(24 * 3600);

/// Counts an attempt for every key at once when each has had fewer than `limit` in the last
/// `window`; otherwise records nothing and answers the seconds to wait until the busiest key
/// has room again. Keys are locked (in a fixed order) before they are counted, so that
/// concurrent attempts on any process see each other.
pub fn attempt(
    conn: &mut DbConn,
    keys: &[String],
    limit: usize,
    window: Duration,
    now: NaiveDateTime,
) -> QueryResult<Option<u64>> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let window_chrono = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    let since = now - window_chrono;
    super::write_transaction(conn, |conn| {
        for key in &keys {
            super::lock_key(conn, lock_id(key))?;
        }
        diesel::delete(
            rate_limit_attempts::table
                .filter(rate_limit_attempts::key.eq_any(&keys))
                .filter(rate_limit_attempts::attempted_at.le(since)),
        )
        .execute(conn)?;
        let mut wait = chrono::Duration::zero();
        for key in &keys {
            let (count, oldest): (i64, Option<NaiveDateTime>) = rate_limit_attempts::table
                .filter(rate_limit_attempts::key.eq(key))
                .select((count_star(), min(rate_limit_attempts::attempted_at)))
                .first(conn)?;
            if usize::try_from(count).unwrap_or(usize::MAX) >= limit {
                if let Some(oldest) = oldest {
                    wait = wait.max(window_chrono - (now - oldest));
                }
            }
        }
        if wait > chrono::Duration::zero() {
            let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
            return Ok(Some(millis.div_ceil(1000).max(1)));
        }
        // One row per key (a limit names one or two): a batch insert does not build on the
        // multi-backend connection.
        for key in &keys {
            diesel::insert_into(rate_limit_attempts::table)
                .values((
                    rate_limit_attempts::key.eq(key),
                    rate_limit_attempts::attempted_at.eq(now),
                ))
                .execute(conn)?;
        }
        // Keys that never come back would stay forever: now and then, forget every old one.
        if rand::random::<u8>() == 0 {
            let keep = chrono::Duration::from_std(KEEP).unwrap_or(chrono::Duration::MAX);
            diesel::delete(
                rate_limit_attempts::table.filter(rate_limit_attempts::attempted_at.lt(now - keep)),
            )
            .execute(conn)?;
        }
        Ok(None)
    })
}

/// How many attempts are on record for `key` (tests and `coffer check` read it).
pub fn count(conn: &mut DbConn, key: &str) -> QueryResult<i64> {
    rate_limit_attempts::table
        .filter(rate_limit_attempts::key.eq(key))
        .count()
        .get_result(conn)
}

fn lock_id(key: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"coffer-rate-limit\0")
        .chain_update(key.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}
