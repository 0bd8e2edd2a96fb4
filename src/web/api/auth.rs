//! Bearer-token authentication and `Idempotency-Key` handling for the admin API.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::{self, idempotency::StoredResponse, DbConn};
use crate::error::{AppError, AppResult};
use crate::ledger;
use crate::web::AppState;

const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// The API token a request authenticated with.
#[derive(Debug, Clone, Copy)]
pub struct ApiToken {
    pub id: i64,
}

impl ApiToken {
    /// How this token appears in the audit log.
    pub fn actor(&self) -> String {
        format!("api-token:{}", self.id)
    }
}

impl FromRequest for ApiToken {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(AppError::Unauthorized);
            };
            let id = state
                .run(move |conn| ledger::tokens::authenticate(conn, &token))
                .await?;
            Ok(ApiToken { id })
        })
    }
}

/// Parses a JSON body into `T`, with serde's explanation as a 400 when it does not fit.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))
}

/// Runs an admin write in one transaction, exactly once per `Idempotency-Key`.
///
/// The stored response is written in the same transaction as the change it describes, so a
/// retried request either finds both or neither. A key reused with another request is refused.
pub async fn idempotent_write<F>(
    state: &AppState,
    token: ApiToken,
    req: &HttpRequest,
    body: &[u8],
    work: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn) -> AppResult<(StatusCode, Value)> + Send + 'static,
{
    let key = idempotency_key(req)?;
    let request_hash = {
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str());
        hasher.update(b"\n");
        hasher.update(req.uri().to_string());
        hasher.update(b"\n");
        hasher.update(body);
        hex::encode(hasher.finalize())
    };
    let outcome = state
        .run(move |conn| {
            let result = db::write_transaction(conn, |conn| {
                if let Some(key) = &key {
                    if let Some(stored) = db::idempotency::find(conn, token.id, key)? {
                        return replay(stored, &request_hash);
                    }
                }
                let (status, value) = work(conn)?;
                let body = serde_json::to_string(&value)
                    .map_err(|e| AppError::Internal(format!("serialising a response: {e}")))?;
                if let Some(key) = &key {
                    db::idempotency::insert(
                        conn,
                        &StoredResponse {
                            token_id: token.id,
                            idempotency_key: key.clone(),
                            request_hash: request_hash.clone(),
                            response_status: i32::from(status.as_u16()),
                            response_body: body.clone(),
                            created_at: db::now(),
                        },
                    )?;
                }
                Ok(Outcome {
                    status,
                    body,
                    replayed: false,
                })
            });
            match (result, &key) {
                // Two requests with one key raced: the loser's work is rolled back; answer
                // with what the winner stored.
                (Err(AppError::Database(err)), Some(key)) if db::is_unique_violation(&err) => {
                    match db::idempotency::find(conn, token.id, key)? {
                        Some(stored) => replay(stored, &request_hash),
                        None => Err(AppError::Database(err)),
                    }
                }
                (result, _) => result,
            }
        })
        .await?;
    if !outcome.replayed {
        state.wall_cache.invalidate();
    }
    let mut response = HttpResponse::build(outcome.status);
    if outcome.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.content_type("application/json").body(outcome.body))
}

struct Outcome {
    status: StatusCode,
    body: String,
    replayed: bool,
}

fn replay(stored: StoredResponse, request_hash: &str) -> AppResult<Outcome> {
    if stored.request_hash != request_hash {
        return Err(AppError::IdempotencyKeyReused);
    }
    let status = u16::try_from(stored.response_status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| AppError::Internal("stored response status".to_owned()))?;
    Ok(Outcome {
        status,
        body: stored.response_body,
        replayed: true,
    })
}

fn idempotency_key(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            AppError::invalid(
                IDEMPOTENCY_HEADER,
                "must be 1 to 255 visible ASCII characters",
            )
        })?;
    Ok(Some(key.to_owned()))
}
