//! `/healthz` asks the database once for everyone asking at the same time.
//!
//! A health check that takes a pooled connection per request lets any client that polls it
//! hard (a load balancer, a monitoring loop, a crawler) queue the treasurer's writes behind its
//! pings. Here one probe runs at a time, and every request that arrived before a probe started
//! is answered with that probe's result: never older than the request, and never more than one
//! connection spent on health, however many ask.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::mail::OutboxStatus;
use crate::web::error::ApiResult;

/// How long a failed request keeps `/healthz` unhealthy: a full disk fails writes while reads
/// (and the probe's `SELECT 1`) still succeed, so the probe alone would not see it.
pub const FAULT_MEMORY: Duration = Duration::from_secs(30);

/// The latest successful probe, shared by every request, and the latest fault any request met.
#[derive(Default)]
pub struct HealthProbe {
    last: Mutex<Option<Probe>>,
    fault: std::sync::Mutex<Option<(Instant, &'static str)>>,
}

struct Probe {
    started: Instant,
    outbox: OutboxStatus,
}

impl HealthProbe {
    /// Remembers that a request failed for `reason` (a full disk, an unreachable database).
    pub fn note_fault(&self, reason: &'static str) {
        let mut fault = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        *fault = Some((Instant::now(), reason));
    }

    /// The latest fault and how long ago it was, if within [`FAULT_MEMORY`].
    pub fn recent_fault(&self) -> Option<(&'static str, Duration)> {
        let fault = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        fault
            .map(|(at, reason)| (reason, at.elapsed()))
            .filter(|(_, ago)| *ago < FAULT_MEMORY)
    }

    /// The outbox's depth as seen by a probe that started no earlier than `arrived`: the
    /// latest one when it qualifies, else a new one made by `probe`. A failed probe is not
    /// remembered, so the next request probes again.
    pub async fn check<F, Fut>(&self, arrived: Instant, probe: F) -> ApiResult<OutboxStatus>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<OutboxStatus>>,
    {
        let mut last = self.last.lock().await;
        if let Some(latest) = last.as_ref().filter(|p| p.started >= arrived) {
            return Ok(latest.outbox.clone());
        }
        let started = Instant::now();
        let outbox = probe().await?;
        *last = Some(Probe {
            started,
            outbox: outbox.clone(),
        });
        Ok(outbox)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::web::error::ApiError;

    fn status(queued: i64) -> OutboxStatus {
        OutboxStatus {
            queued,
            failed: 0,
            sent: None,
            transport: "files",
        }
    }

    #[actix_web::test]
    async fn requests_that_arrive_together_share_one_probe_and_later_ones_get_a_fresh_one() {
        let health = HealthProbe::default();
        let probes = AtomicUsize::new(0);
        let probe = || async {
            let n = probes.fetch_add(1, Ordering::SeqCst);
            Ok(status(i64::try_from(n).unwrap_or(0)))
        };
        let arrived = Instant::now();
        let answers =
            futures_util::future::join_all((0..20).map(|_| health.check(arrived, probe))).await;
        assert_eq!(probes.load(Ordering::SeqCst), 1);
        assert!(answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|s| s.queued == 0)));

        // Arriving after that probe started: it is too old to answer for this request.
        let later = health.check(Instant::now(), probe).await.unwrap();
        assert_eq!(later.queued, 1);
        assert_eq!(probes.load(Ordering::SeqCst), 2);
    }

    #[actix_web::test]
    async fn a_failed_probe_is_not_remembered() {
        let health = HealthProbe::default();
        let arrived = Instant::now();
        let failed = health
            .check(arrived, || async {
                Err(ApiError::Internal("database down".to_owned()))
            })
            .await;
        assert!(failed.is_err());
        let next = health
            .check(arrived, || async { Ok(status(7)) })
            .await
            .unwrap();
        assert_eq!(next.queued, 7);
    }
}
