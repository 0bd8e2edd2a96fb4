//! The write unit: the one way anything is written. Every writer — the admin API today, the
//! console, Stripe's webhooks and imports tomorrow — goes through [`WriteUnit::apply`], which
//! runs the change in one transaction together with
//!
//! - its idempotency record (the reply to give when the same request comes back),
//! - its audit record (who, what, which subject), and
//! - after commit, the [`ChangeNotice`] that wakes the wall's publisher, and the signal that
//!   wakes the mail worker for whatever the change queued in the outbox.
//!
//! A refused change leaves none of them behind.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::db::{self, idempotency::StoredResponse, DbConn};
use crate::error::{AppError, AppResult};

/// Who is writing, as the audit log names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A script or client holding an API token.
    ApiToken(i64),
    /// A console account (see [`super::admins`]).
    Admin(i64),
    /// Coffer itself, or one of its commands (e.g. `demo`).
    System(&'static str),
}

impl Actor {
    /// How the audit log names this actor.
    pub fn audit_name(&self) -> String {
        match self {
            Self::ApiToken(id) => format!("api-token:{id}"),
            Self::Admin(id) => format!("admin:{id}"),
            Self::System(name) => format!("system:{name}"),
        }
    }
}

/// A client's promise that a request is the same as an earlier one with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// The client's `Idempotency-Key`, already checked for its form.
    pub key: String,
    /// A hash of everything that makes the request what it is (method, path, body).
    pub request_hash: String,
}

/// What a change produced: the reply for the client and the subject for the audit log.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The reply's status: 201 for something new, 200 for a change.
    pub status: u16,
    pub body: serde_json::Value,
    /// What was changed, e.g. `donor:12`.
    pub subject: String,
    /// What the audit log says of it; the reply's body when `None`.
    pub detail: Option<String>,
}

impl Recorded {
    /// The same change, with what the audit log says of it.
    pub fn with_detail(self, detail: String) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }
}

/// The reply to a write, fresh or replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// True when this is the stored reply of an earlier, identical request.
    pub replayed: bool,
}

/// Tells whoever derives things from the ledger (the wall's publisher) that it changed.
///
/// Writes through this process wake the publisher at once; writes through other processes
/// sharing a PostgreSQL database are seen by the publisher's own polling of the audit log.
#[derive(Debug, Default)]
pub struct ChangeNotice {
    generation: AtomicU64,
    wake: tokio::sync::Notify,
}

impl ChangeNotice {
    /// Counts a committed change and wakes the waiter.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.wake.notify_one();
    }

    /// How many changes this process committed so far.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Waits for the next change (or returns at once if one came since the last wait).
    pub async fn wait(&self) {
        self.wake.notified().await;
    }
}

/// Applies changes; shared by every writer of the process.
#[derive(Clone, Default)]
pub struct WriteUnit {
    notice: Arc<ChangeNotice>,
    outbox_signal: Arc<tokio::sync::Notify>,
}

impl WriteUnit {
    /// The notice this unit gives after each committed change.
    pub fn notice(&self) -> &Arc<ChangeNotice> {
        &self.notice
    }

    /// Poked after every committed change, so that the mail worker sends what the change
    /// queued without waiting for its next poll.
    pub fn outbox_signal(&self) -> Arc<tokio::sync::Notify> {
        self.outbox_signal.clone()
    }

    /// Runs `change` once: in one transaction with its idempotency and audit records, or not at
    /// all. With a claim, the first request's reply is stored, and every later request with the
    /// same key and the same content gets that reply, however many arrive at once: the key is
    /// locked before it is looked up, so concurrent twins wait for the first and then replay it.
    pub fn apply<F>(
        &self,
        conn: &mut DbConn,
        actor: Actor,
        action: &'static str,
        claim: Option<&IdempotencyClaim>,
        change: F,
    ) -> AppResult<Reply>
    where
        F: FnOnce(&mut DbConn) -> AppResult<Recorded>,
    {
        self.apply_from(conn, actor, None, action, claim, change)
    }

    /// Like [`WriteUnit::apply`] for a change a request asked for: the audit record keeps the
    /// client's address (as resolved behind the trusted proxies).
    pub fn apply_from<F>(
        &self,
        conn: &mut DbConn,
        actor: Actor,
        address: Option<std::net::IpAddr>,
        action: &'static str,
        claim: Option<&IdempotencyClaim>,
        change: F,
    ) -> AppResult<Reply>
    where
        F: FnOnce(&mut DbConn) -> AppResult<Recorded>,
    {
        let address = address.map(|ip| ip.to_string());
        let scope = match (actor, claim) {
            (Actor::ApiToken(token_id), Some(claim)) => Some((token_id, claim)),
            (_, Some(_)) => {
                return Err(AppError::Internal(
                    "an idempotency claim needs an API token".to_owned(),
                ))
            }
            (_, None) => None,
        };
        let reply = db::write_transaction(conn, |conn| {
            if let Some((token_id, claim)) = scope {
                db::lock_key(conn, lock_id(token_id, &claim.key))?;
                if let Some(stored) = db::idempotency::find(conn, token_id, &claim.key)? {
                    return replay(stored, &claim.request_hash);
                }
            }
            let recorded = change(conn)?;
            let body = serde_json::to_string(&recorded.body)
                .map_err(|e| AppError::Internal(format!("serialising a reply: {e}")))?;
            let now = db::now();
            db::audit::record(
                conn,
                &db::audit::NewAuditRecord {
                    actor: &actor.audit_name(),
                    action,
                    subject: &recorded.subject,
                    detail: recorded.detail.as_deref().unwrap_or(&body),
                    created_at: now,
                    address: address.as_deref(),
                },
            )?;
            if let Some((token_id, claim)) = scope {
                db::idempotency::insert(
                    conn,
                    &StoredResponse {
                        token_id,
                        idempotency_key: claim.key.clone(),
                        request_hash: claim.request_hash.clone(),
                        response_status: i32::from(recorded.status),
                        response_body: body.clone(),
                        created_at: now,
                    },
                )?;
            }
            Ok(Reply {
                status: recorded.status,
                body,
                replayed: false,
            })
        })?;
        if !reply.replayed {
            self.notice.changed();
            self.outbox_signal.notify_one();
        }
        Ok(reply)
    }
}

/// A lock id for one token's key: the first 8 bytes of a hash of both.
fn lock_id(token_id: i64, key: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"coffer-idempotency\0")
        .chain_update(token_id.to_be_bytes())
        .chain_update(key.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

fn replay(stored: StoredResponse, request_hash: &str) -> AppResult<Reply> {
    if stored.request_hash != request_hash {
        return Err(AppError::IdempotencyKeyReused);
    }
    let status = u16::try_from(stored.response_status)
        .map_err(|_| AppError::Internal("stored reply status out of range".to_owned()))?;
    Ok(Reply {
        status,
        body: stored.response_body,
        replayed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_ids_differ_by_token_and_key() {
        assert_eq!(lock_id(1, "a"), lock_id(1, "a"));
        assert_ne!(lock_id(1, "a"), lock_id(2, "a"));
        assert_ne!(lock_id(1, "a"), lock_id(1, "b"));
    }
}
