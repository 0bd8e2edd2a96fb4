//! The JSON API: public facts and the treasurer's admin API.

pub mod admin;
pub mod books;
pub mod extract;
pub mod public;
pub mod responses;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use self::extract::ApiToken;
use crate::db::DbConn;
use crate::domain::Currency;
use crate::error::{AppError, AppResult};
pub(crate) use crate::ledger::write::Recorded;
use crate::ledger::write::{Actor, IdempotencyClaim};
use crate::web::error::ApiResult;
use crate::web::AppState;

/// The header a client sets to make a POST or PATCH safe to retry.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// An admin request that carries a valid API token: the app's state, the token, and the
/// request itself (its `Idempotency-Key` and the client's address go into the write unit).
pub struct AdminRequest {
    pub state: web::Data<AppState>,
    pub token: ApiToken,
    pub(crate) req: HttpRequest,
}

impl AdminRequest {
    /// Runs an admin write through the write unit, exactly once per `Idempotency-Key`, and
    /// answers with its reply (`Idempotent-Replayed: true` when it is a stored one).
    pub(crate) async fn write<F>(
        self,
        body: &[u8],
        action: &'static str,
        change: F,
    ) -> ApiResult<HttpResponse>
    where
        F: FnOnce(&mut DbConn) -> AppResult<Recorded> + Send + 'static,
    {
        let claim = idempotency_claim(&self.req, body)?;
        let writes = self.state.writes.clone();
        let address = Some(crate::web::client::client_of(&self.req).ip);
        let token = self.token;
        let reply = self
            .state
            .run(move |conn| {
                writes.apply_from(
                    conn,
                    Actor::ApiToken(token.id),
                    address,
                    action,
                    claim.as_ref(),
                    change,
                )
            })
            .await?;
        let status = actix_web::http::StatusCode::from_u16(reply.status)
            .map_err(|_| AppError::Internal(format!("reply status {}", reply.status)))?;
        let mut response = HttpResponse::build(status);
        if reply.replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        Ok(response.content_type("application/json").body(reply.body))
    }

    /// The instance's currency, for amounts given without one.
    pub fn currency(&self) -> Currency {
        self.state.settings.currency
    }
}

/// A new record, as the write unit stores and answers it.
pub(crate) fn created<T: Serialize>(subject: String, view: &T) -> AppResult<Recorded> {
    recorded(201, subject, view)
}

/// A changed record, as the write unit stores and answers it.
pub(crate) fn changed<T: Serialize>(subject: String, view: &T) -> AppResult<Recorded> {
    recorded(200, subject, view)
}

/// A request taken in to be carried out later (a receipt queued again), as the write unit
/// stores and answers it.
pub(crate) fn accepted<T: Serialize>(subject: String, view: &T) -> AppResult<Recorded> {
    recorded(202, subject, view)
}

fn recorded<T: Serialize>(status: u16, subject: String, view: &T) -> AppResult<Recorded> {
    Ok(Recorded {
        status,
        body: serde_json::to_value(view)
            .map_err(|e| AppError::Internal(format!("serialising a reply: {e}")))?,
        subject,
        detail: None,
    })
}

/// The client's `Idempotency-Key`, if any: 1 to 255 visible ASCII characters.
fn idempotency_claim(req: &HttpRequest, body: &[u8]) -> AppResult<Option<IdempotencyClaim>> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| is_idempotency_key(k))
        .ok_or_else(|| {
            AppError::invalid(
                IDEMPOTENCY_HEADER,
                "must be 1 to 255 visible ASCII characters",
            )
        })?;
    let request_hash = hex::encode(
        Sha256::new()
            .chain_update(req.method().as_str())
            .chain_update(b"\n")
            .chain_update(req.uri().to_string())
            .chain_update(b"\n")
            .chain_update(body)
            .finalize(),
    );
    Ok(Some(IdempotencyClaim {
        key: key.to_owned(),
        request_hash,
    }))
}

/// The pattern the OpenAPI document states: `^[!-~]{1,255}$`.
pub fn is_idempotency_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}
