//! The verifiable books, public: the signed checkpoints and the instance's public key under
//! `/.well-known/coffer/`, and the proofs (`/api/v1/ledger/…`). The formats are
//! [`crate::verify::format`]'s, described in docs/verify.md.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::ledger::log::{self, ProofUnavailable};
use crate::verify::format::{CheckpointList, ConsistencyProof};
use crate::web::api::responses::ServerErrors;
use crate::web::error::ApiResult;
#[allow(unused_imports)] // named by the OpenAPI annotations
use crate::web::views::ErrorView;
use crate::web::AppState;

/// Checkpoints change once a month: a minute of caching is plenty fresh.
const CACHE: &str = "public, max-age=60";

#[utoipa::path(
    get,
    path = "/.well-known/coffer/checkpoints.json",
    operation_id = "ledgerCheckpoints",
    tag = "public",
    summary = "The ledger's signed checkpoints, oldest first",
    description = "Each checkpoint signs the Merkle log's size, root and totals per currency with the instance's Ed25519 key, and carries the consistency proof from the one before (docs/verify.md).",
    responses(
        (status = 200, description = "`{\"checkpoints\": [{\"tree_size\", \"root_hash\", \"totals\", \"signed_at\", \"public_key\", \"signature\", \"consistency\"}]}`", content_type = "application/json", body = Object),
        ServerErrors,
    )
)]
/// `GET /.well-known/coffer/checkpoints.json`.
pub async fn checkpoints(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let checkpoints = state.run(log::checkpoints).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE))
        .json(CheckpointList { checkpoints }))
}

#[utoipa::path(
    get,
    path = "/.well-known/coffer/ledger-key",
    operation_id = "ledgerKey",
    tag = "public",
    summary = "The Ed25519 public key that signs the checkpoints, hex",
    responses(
        (status = 200, description = "64 hex characters and a newline", content_type = "text/plain", body = String),
        (status = 404, description = "This instance signs no checkpoints (no COFFER_SIGNING_KEY_FILE)", body = ErrorView),
        ServerErrors,
    )
)]
/// `GET /.well-known/coffer/ledger-key`.
pub async fn ledger_key(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let Some(file) = state.settings.signing_key_file.clone() else {
        return Err(
            crate::error::AppError::not_found("ledger signing key", "on this instance").into(),
        );
    };
    let key = state.run(move |_| log::InstanceKey::read(&file)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, CACHE))
        .body(format!("{}\n", key.public_hex())))
}

/// `?from=&to=`: two tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree's size.
    from: u64,
    /// The newer tree's size.
    to: u64,
}

#[utoipa::path(
    get,
    path = "/api/v1/ledger/consistency",
    operation_id = "ledgerConsistency",
    tag = "public",
    summary = "The consistency proof between two sizes of the ledger's log",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "`{\"from\", \"to\", \"proof\": [hex]}` (RFC 9162 §2.1.4)", content_type = "application/json", body = Object),
        (status = 400, description = "The query is not what this route takes: `from` and `to` are required whole numbers", body = ErrorView),
        (status = 422, description = "The sizes are not 0 ≤ from ≤ to ≤ the log's size", body = ErrorView),
        ServerErrors,
    )
)]
/// `GET /api/v1/ledger/consistency?from=&to=`.
pub async fn consistency(
    state: web::Data<AppState>,
    query: web::Query<ConsistencyQuery>,
) -> ApiResult<HttpResponse> {
    let (from, to) = (query.from, query.to);
    let proof = state
        .run(move |conn| log::consistency(conn, from, to))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE))
        .json(ConsistencyProof {
            from,
            to,
            proof: proof.iter().map(hex::encode).collect(),
        }))
}

#[utoipa::path(
    get,
    path = "/api/v1/ledger/proof/{number}",
    operation_id = "ledgerProof",
    tag = "public",
    summary = "The proof that a receipt's entry is in the signed books",
    params(("number" = String, Path, description = "The receipt or credit note number, e.g. 2026-000042")),
    responses(
        (status = 200, description = "`{\"receipt\", \"leaf_index\", \"entry\": hex, \"decoded\", \"proof\": [hex], \"checkpoint\"}`: the inclusion proof against the first checkpoint that covers the entry", content_type = "application/json", body = Object),
        (status = 404, description = "No such receipt, or the next checkpoint is not signed yet", body = ErrorView),
        ServerErrors,
    )
)]
/// `GET /api/v1/ledger/proof/{number}`.
pub async fn proof(
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = number.into_inner();
    let wanted = number.clone();
    match state.run(move |conn| log::receipt_proof(conn, &wanted)).await? {
        Ok(proof) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, CACHE))
            .json(proof)),
        Err(ProofUnavailable::NotSignedYet { leaf_index }) => Ok(HttpResponse::NotFound()
            .insert_header((header::CACHE_CONTROL, CACHE))
            .json(serde_json::json!({
                "error": {
                    "code": "not_found",
                    "message": format!(
                        "the next checkpoint is not signed yet: receipt {number} is leaf {leaf_index} of the ledger's log, and its proof is here once the month's checkpoint is signed"
                    ),
                }
            }))),
    }
}

/// Signs a checkpoint whenever one is due (the log grew and none was signed this month yet),
/// looking at the calendar every [`log::CHECKPOINT_POLL`]; through the write unit, so the
/// checkpoint is audited and the published pages hear of it.
pub async fn run_checkpoints(state: AppState, key: log::InstanceKey) {
    loop {
        let key = key.clone();
        let writes = state.writes.clone();
        let signed = state
            .run(move |conn| {
                let now = crate::db::now();
                if !log::checkpoint_due(conn, now)? {
                    return Ok(None);
                }
                let reply = writes.apply(
                    conn,
                    crate::ledger::write::Actor::System("checkpoint"),
                    "ledger.checkpoint",
                    None,
                    |conn| {
                        let checkpoint = log::sign_checkpoint(conn, &key, now)?;
                        Ok(crate::ledger::write::Recorded {
                            status: 201,
                            subject: format!("checkpoint:{}", checkpoint.tree_size),
                            body: serde_json::json!({
                                "tree_size": checkpoint.tree_size,
                                "root_hash": checkpoint.root_hash,
                            }),
                            detail: None,
                        })
                    },
                );
                match reply {
                    Ok(reply) => Ok(Some(reply.body)),
                    // Another process signed it first.
                    Err(crate::error::AppError::Conflict(_)) => Ok(None),
                    Err(err) => Err(err),
                }
            })
            .await;
        match signed {
            Ok(Some(body)) => tracing::info!(checkpoint = %body, "signed a ledger checkpoint"),
            Ok(None) => {}
            Err(err) => tracing::error!("signing a ledger checkpoint: {err}"),
        }
        tokio::time::sleep(log::CHECKPOINT_POLL).await;
    }
}
