//! A limiter of attempts per key (an address, an account): at most `limit` in any `window`.
//! On SQLite (one process) it counts in memory; on PostgreSQL, where several processes may
//! serve behind a load balancer, [`crate::web::AppState::rate_limit`] counts in the database
//! instead (`db::rate_limits`), so that N processes give no more tries than one.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sign-in attempts allowed per address and per account in a minute.
pub const SIGN_IN_TRIES: usize = 5;

/// Counts attempts per key in a sliding window.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// The most attempts a key may make in a window.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The sliding window the attempts are counted in.
    pub fn window(&self) -> Duration {
        self.window
    }

    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for every key at once, or refuses them all with the seconds to wait
    /// until the busiest key has room again.
    pub fn attempt(&self, keys: &[String]) -> Result<(), u64> {
        let now = Instant::now();
        let mut attempts = match self.attempts.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Forget keys whose attempts all left the window, so the map stays small.
        if attempts.len() > 10_000 {
            attempts.retain(|_, times| times.back().is_some_and(|t| now - *t < self.window));
        }
        let mut wait = Duration::ZERO;
        for key in keys {
            let times = attempts.entry(key.clone()).or_default();
            while times.front().is_some_and(|t| now - *t >= self.window) {
                times.pop_front();
            }
            if times.len() >= self.limit {
                if let Some(oldest) = times.front() {
                    wait = wait.max(self.window - (now - *oldest));
                }
            }
        }
        if wait > Duration::ZERO {
            return Err(wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0));
        }
        for key in keys {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_try_in_a_minute_waits() {
        let limiter = RateLimiter::new(5, Duration::from_secs(60));
        let keys = ["ip:1".to_owned(), "account:a".to_owned()];
        for _ in 0..5 {
            assert!(limiter.attempt(&keys).is_ok());
        }
        let wait = limiter.attempt(&keys).unwrap_err();
        assert!((1..=61).contains(&wait), "{wait}");
        // Another account from another address is not held back.
        assert!(limiter
            .attempt(&["ip:2".to_owned(), "account:b".to_owned()])
            .is_ok());
    }
}
