//! HTTP by the book, for every route at once: HEAD wherever GET, `no-store` on the admin API,
//! and for public answers a strong `ETag`, `304 Not Modified`, and gzip or brotli bodies
//! compressed once per representation rather than once per request.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpResponse};
use sha2::{Digest, Sha256};

/// Serves HEAD with the GET handler. The HTTP codec remembered that the request was HEAD, so it
/// sends the GET answer's headers (Content-Length included) and no body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// Admin answers (the API and the console) carry emails and legal names: no cache, shared or
/// private, may keep them.
pub async fn no_store_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let is_admin = req.path().starts_with("/api/v1/admin")
        || req.path() == "/admin"
        || req.path().starts_with("/admin/");
    let mut res = next.call(req).await?;
    if is_admin {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// A content coding Coffer can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    fn suffix(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gz",
            Self::Brotli => "-br",
        }
    }

    fn header(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }
}

/// The best coding the client accepts: brotli, then gzip, else identity. A coding with `q=0`
/// is refused by the client.
pub fn negotiate(accept_encoding: Option<&str>) -> Coding {
    let Some(accept) = accept_encoding else {
        return Coding::Identity;
    };
    let accepts = |name: &str| {
        accept.split(',').any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            (coding.eq_ignore_ascii_case(name) || coding == "*") && !refused
        })
    };
    if accepts("br") {
        Coding::Brotli
    } else if accepts("gzip") {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

fn is_public(headers: &HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("public"))
}

/// True when `If-None-Match` names this tag (or `*`); weak comparison, as RFC 9110 asks for.
fn matches_if_none_match(if_none_match: &str, tag: &str) -> bool {
    let bare = tag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == bare)
}

/// Strong validators and compression for public GET answers (`Cache-Control: public`).
///
/// Each content coding is its own representation with its own strong tag (`"…-br"`), so a
/// cache never serves gzip bytes to a client that asked for identity. The compressed bytes are
/// kept per tag, so a wall that did not change is compressed once, not on every request.
pub async fn representations(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_get = req.method() == Method::GET;
    let header_text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let if_none_match = header_text(header::IF_NONE_MATCH);
    let coding = negotiate(header_text(header::ACCEPT_ENCODING).as_deref());
    let res = next.call(req).await?;
    let already_tagged = res.headers().contains_key(header::ETAG);
    if !is_get || res.status() != StatusCode::OK || !is_public(res.headers()) || already_tagged {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut res, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let tag = format!("\"{}{}\"", content_hash(&bytes), coding.suffix());
    let headers = res.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&tag).map_err(actix_web::error::ErrorInternalServerError)?,
    );
    let varies = headers.get_all(header::VARY).any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if if_none_match.is_some_and(|inm| matches_if_none_match(&inm, &tag)) {
        let mut not_modified = HttpResponse::NotModified();
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::CONTENT_LOCATION,
            header::EXPIRES,
        ] {
            for value in res.headers().get_all(&name) {
                not_modified.append_header((name.clone(), value.clone()));
            }
        }
        return Ok(ServiceResponse::new(req, not_modified.finish()));
    }
    let body = match coding.header() {
        None => bytes,
        Some(name) => {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
            compressed(&tag, coding, &bytes)?
        }
    };
    Ok(ServiceResponse::new(
        req,
        res.set_body(body).map_into_boxed_body(),
    ))
}

/// Public facts change slowly and walls get linked from posts: a minute of caching is fine.
pub const PUBLIC_CACHE: &str = "public, max-age=60";

/// One rendered public answer, in every coding, with its strong validator.
#[derive(Debug, Clone)]
pub struct Representation {
    pub content_type: &'static str,
    pub cache_control: &'static str,
    /// The hash of the identity bytes; each coding's tag adds its own suffix.
    pub tag: String,
    bodies: HashMap<Coding, Bytes>,
}

impl Representation {
    /// Renders once, hashes once and compresses once.
    pub fn new(content_type: &'static str, cache_control: &'static str, body: Vec<u8>) -> Self {
        let (tag, bodies) = encode_all(Bytes::from(body));
        Self {
            content_type,
            cache_control,
            tag,
            bodies,
        }
    }

    /// Like [`Representation::new`], but when `previous` holds the same bytes it is kept as it
    /// is: most rebuilds change one or two answers, and compressing the others again would
    /// only cost CPU time that the readers need.
    pub fn unless_unchanged(
        previous: Option<&Representation>,
        content_type: &'static str,
        cache_control: &'static str,
        body: Vec<u8>,
    ) -> Self {
        match previous {
            Some(previous)
                if previous.content_type == content_type
                    && previous.cache_control == cache_control
                    && previous
                        .body(Coding::Identity)
                        .is_some_and(|old| old[..] == body[..]) =>
            {
                previous.clone()
            }
            _ => Self::new(content_type, cache_control, body),
        }
    }

    /// The bytes in `coding` (identity is always there).
    pub fn body(&self, coding: Coding) -> Option<&Bytes> {
        self.bodies.get(&coding)
    }
}

/// The hash that names a body in its validators.
fn content_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// A body's hash and its bytes in every coding, for answers built once and served many times.
pub fn encode_all(identity: Bytes) -> (String, HashMap<Coding, Bytes>) {
    let hash = content_hash(&identity);
    let mut bodies = HashMap::new();
    for coding in [Coding::Gzip, Coding::Brotli] {
        match encode(coding, &identity) {
            Ok(encoded) => {
                bodies.insert(coding, Bytes::from(encoded));
            }
            // The identity body is always there to fall back on.
            Err(err) => tracing::warn!(error = %err, ?coding, "compressing failed"),
        }
    }
    bodies.insert(Coding::Identity, identity);
    (hash, bodies)
}

/// Serves a prebuilt [`Representation`]: the client's best coding, its strong tag, and 304 when
/// the client already has it.
pub fn serve(req: &actix_web::HttpRequest, representation: &Representation) -> HttpResponse {
    let header_text =
        |name: header::HeaderName| req.headers().get(name).and_then(|v| v.to_str().ok());
    let mut coding = negotiate(header_text(header::ACCEPT_ENCODING));
    let body = match representation.body(coding) {
        Some(body) => body.clone(),
        None => {
            coding = Coding::Identity;
            representation.body(coding).cloned().unwrap_or_default()
        }
    };
    let tag = format!("\"{}{}\"", representation.tag, coding.suffix());
    let not_modified =
        header_text(header::IF_NONE_MATCH).is_some_and(|inm| matches_if_none_match(inm, &tag));
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, representation.cache_control))
        .insert_header((header::VARY, "Accept-Encoding"));
    if not_modified {
        return response.finish();
    }
    if let Some(name) = coding.header() {
        response.insert_header((header::CONTENT_ENCODING, name));
    }
    response
        .content_type(representation.content_type)
        .body(body)
}

/// The body in `coding`, compressed once per tag.
fn compressed(tag: &str, coding: Coding, bytes: &Bytes) -> Result<Bytes, Error> {
    /// Enough for every public representation of a few walls; emptied when full.
    const CAPACITY: usize = 64;
    static CACHE: OnceLock<Mutex<HashMap<String, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(tag).cloned()) {
        return Ok(hit);
    }
    let encoded =
        Bytes::from(encode(coding, bytes).map_err(actix_web::error::ErrorInternalServerError)?);
    if let Ok(mut cache) = cache.lock() {
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(tag.to_owned(), encoded.clone());
    }
    Ok(encoded)
}

fn encode(coding: Coding, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    match coding {
        Coding::Identity => Ok(bytes.to_vec()),
        Coding::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes)?;
            encoder.finish()
        }
        Coding::Brotli => {
            let mut out = Vec::new();
            {
                // Quality 5 of 11: most of brotli's gain over gzip for a fraction of the time
                // and memory of its higher levels (the wall is compressed after every change).
                // The window need not be larger than the body, but never below 2^17: with a
                // window of 2^16 or less, quality 5 switches to a hasher whose tables take
                // about 10 MiB (25 MiB for a 200 KB body) and five times the time (measured
                // with brotli 9.1: a 32 KB page took 6 ms and 10 MiB at 2^15, 1.4 ms and
                // 2 MiB at 2^17).
                let window = bytes.len().next_power_of_two().trailing_zeros();
                let mut encoder =
                    brotli::CompressorWriter::new(&mut out, 4096, 5, window.clamp(17, 20));
                encoder.write_all(bytes)?;
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_accepted_coding_wins() {
        assert_eq!(negotiate(None), Coding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br")), Coding::Brotli);
        assert_eq!(negotiate(Some("gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("identity")), Coding::Identity);
    }

    #[test]
    fn if_none_match_compares_tags() {
        assert!(matches_if_none_match("\"a\", \"b\"", "\"b\""));
        assert!(matches_if_none_match("W/\"b\"", "\"b\""));
        assert!(matches_if_none_match("*", "\"b\""));
        assert!(!matches_if_none_match("\"a\"", "\"b\""));
    }

    #[test]
    fn compressed_bodies_decompress_to_the_original() {
        let original = b"<p>sponsors</p>".repeat(100);
        let gz = encode(Coding::Gzip, &original).unwrap();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, original);
        let br = encode(Coding::Brotli, &original).unwrap();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&br[..], 4096), &mut decoded)
            .unwrap();
        assert_eq!(decoded, original);
    }
}
