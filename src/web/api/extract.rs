//! What the admin API reads from a request before any handler runs: the API token, and a JSON
//! body that must be `application/json`, an object, and at most [`BODY_LIMIT`] bytes. Every
//! refusal is the JSON error shape, 413 and 415 included.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::ledger;
use crate::web::error::ApiError;
use crate::web::AppState;

/// The largest body the API reads; every input fits in a fraction of it.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The API token a request authenticated with.
#[derive(Debug, Clone, Copy)]
pub struct ApiToken {
    pub id: i64,
}

/// The token of an `Authorization` header; the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for ApiToken {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(AppError::Unauthenticated.into());
            };
            let id = state
                .run(move |conn| ledger::tokens::authenticate(conn, &token))
                .await?;
            Ok(ApiToken { id })
        })
    }
}

impl FromRequest for super::AdminRequest {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = ApiToken::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                ApiError::Internal("the app's state is not configured".to_owned())
            })?;
            let token = token.await?;
            Ok(super::AdminRequest { state, token, req })
        })
    }
}

/// The raw bytes of a body, at most [`BODY_LIMIT`] of them, whatever their type (for POSTs that
/// take no input but are still hashed for idempotency).
pub struct RawBody(pub web::Bytes);

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move { read_limited(payload, declared).await.map(RawBody) })
    }
}

/// A JSON object body parsed into `T`, with its raw bytes kept for the idempotency hash.
pub struct JsonBody<T> {
    pub value: T,
    pub raw: web::Bytes,
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = check_json_content_type(req);
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            content_type?;
            let raw = read_limited(payload, declared).await?;
            let value = parse_object(&raw)?;
            Ok(JsonBody { value, raw })
        })
    }
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// `application/json`, or a `+json` type, with any parameters (`; charset=utf-8`).
fn check_json_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let given = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = given.split(';').next().unwrap_or("").trim();
    let is_json = essence.eq_ignore_ascii_case("application/json")
        || (essence.len() > 5
            && essence.to_ascii_lowercase().starts_with("application/")
            && essence.to_ascii_lowercase().ends_with("+json"));
    if is_json {
        Ok(())
    } else if given.is_empty() {
        Err(ApiError::UnsupportedMediaType("no Content-Type".to_owned()))
    } else {
        Err(ApiError::UnsupportedMediaType(essence.to_owned()))
    }
}

async fn read_limited(
    mut payload: Payload,
    declared: Option<usize>,
) -> Result<web::Bytes, ApiError> {
    let too_large = ApiError::PayloadTooLarge { limit: BODY_LIMIT };
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return Err(too_large);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("reading the body: {e}")))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses a body that must be one JSON object into `T`.
pub fn parse_object<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(raw)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::BadRequest(
            "the body must be a JSON object".to_owned(),
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("the body does not fit this route: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for header in ["Bearer abc", "bearer abc", "BEARER  abc "] {
            let req = actix_web::test::TestRequest::default()
                .insert_header((header::AUTHORIZATION, header))
                .to_http_request();
            assert_eq!(bearer_token(&req).as_deref(), Some("abc"), "{header}");
        }
        let basic = actix_web::test::TestRequest::default()
            .insert_header((header::AUTHORIZATION, "Basic abc"))
            .to_http_request();
        assert_eq!(bearer_token(&basic), None);
    }
}
