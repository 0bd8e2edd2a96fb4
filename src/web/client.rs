//! Who is asking: the one place that turns the TCP peer and the forwarding headers into the
//! client's address and the request's scheme.
//!
//! Behind a reverse proxy every request comes from the proxy, and the client's own address is
//! in a header that the proxy sets. Any client reaching Coffer directly can send the same
//! headers, so they are believed only from a peer in `COFFER_TRUSTED_PROXIES`. From a trusted
//! peer the address comes from `Forwarded` (RFC 7239), else `X-Forwarded-For`, else
//! `X-Real-IP`; in both lists the right-most hop that is not itself a trusted proxy is the
//! client (hops further left were written by the client and prove nothing).
//!
//! The outermost middleware, [`identify_client`], resolves this once per request, keeps the
//! answer in the request's extensions for the rate limits and the audit log, and rewrites the
//! forwarding headers to say only what was believed, so that the request log (and anything
//! else reading actix's `ConnectionInfo`) sees the same address.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, FromRequest, HttpMessage, HttpRequest};

use crate::domain::{canonical_ip, TrustedProxies};
use crate::web::AppState;

/// The client of one request, as far as Coffer can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr {
    /// The address every rate limit, the request log and the audit log use.
    pub ip: IpAddr,
    /// True when the client spoke https to the proxy in front (or to Coffer itself).
    pub https: bool,
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.ip.fmt(f)
    }
}

const FORWARDED: HeaderName = HeaderName::from_static("forwarded");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");
const FORWARDING_HEADERS: [HeaderName; 5] = [
    FORWARDED,
    X_FORWARDED_FOR,
    X_FORWARDED_PROTO,
    X_FORWARDED_HOST,
    X_REAL_IP,
];

/// Resolves the client from the TCP peer and the request's headers.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> ClientAddr {
    let unspecified = IpAddr::from([0, 0, 0, 0]);
    let Some(peer) = peer.map(canonical_ip) else {
        return ClientAddr {
            ip: unspecified,
            https: false,
        };
    };
    let direct = ClientAddr {
        ip: peer,
        https: false,
    };
    if !trusted.contains(peer) {
        return direct;
    }
    if let Some(found) = from_forwarded(headers, trusted) {
        return found;
    }
    let https = last_value(headers, &X_FORWARDED_PROTO)
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let ip = from_x_forwarded_for(headers, trusted)
        .or_else(|| {
            headers
                .get(X_REAL_IP)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_node(v.trim()))
        })
        .unwrap_or(peer);
    ClientAddr { ip, https }
}

/// `Forwarded: for=…;proto=…, for=…`: the right-most element whose `for` is not a trusted
/// proxy names the client; `proto` comes from the right-most element, the one the proxy in
/// front of Coffer wrote.
fn from_forwarded(headers: &HeaderMap, trusted: &TrustedProxies) -> Option<ClientAddr> {
    let mut elements = Vec::new();
    for value in headers.get_all(FORWARDED) {
        let text = value.to_str().ok()?;
        elements.extend(split_outside_quotes(text, ',').into_iter().map(|element| {
            let mut node = None;
            let mut proto = None;
            for pair in split_outside_quotes(element, ';') {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match name.trim().to_ascii_lowercase().as_str() {
                    "for" => node = Some(parse_node(value)),
                    "proto" => proto = Some(value.eq_ignore_ascii_case("https")),
                    _ => {}
                }
            }
            (node, proto)
        }));
    }
    let https = elements.last()?.1.unwrap_or(false);
    let mut client = None;
    for (node, _) in elements.iter().rev() {
        match node {
            // An element without `for` says nothing of the client.
            None => continue,
            Some(Some(ip)) if trusted.contains(*ip) => client = Some(*ip),
            Some(Some(ip)) => {
                client = Some(*ip);
                break;
            }
            // `unknown` or an obfuscated name: the client is behind it and cannot be told.
            Some(None) => break,
        }
    }
    client.map(|ip| ClientAddr { ip, https })
}

fn from_x_forwarded_for(headers: &HeaderMap, trusted: &TrustedProxies) -> Option<IpAddr> {
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let text = value.to_str().ok()?;
        hops.extend(text.split(',').map(|hop| parse_node(hop.trim())));
    }
    let mut client = None;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if trusted.contains(*ip) => client = Some(*ip),
            Some(ip) => return Some(*ip),
            None => break,
        }
    }
    client
}

fn last_value(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .next_back()
}

/// A node of RFC 7239 or a hop of `X-Forwarded-For`: `192.0.2.1`, `192.0.2.1:4711`,
/// `[2001:db8::1]:4711` or a bare IPv6 address. `unknown` and obfuscated names are `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        let (ip, _) = rest.split_once(']')?;
        return ip.parse().ok().map(canonical_ip);
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical_ip(ip));
    }
    let (ip, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Splits on `separator` where it is not inside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(text[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Resolves the client once, keeps it for the handlers, and leaves on the request only the
/// forwarding that was believed (a `Forwarded` header naming the client and scheme).
pub async fn identify_client(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // The state is shared (an Arc), so the hot path neither allocates nor copies the list.
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let untrusting = TrustedProxies::default();
    let trusted = state
        .as_ref()
        .map_or(&untrusting, |state| &state.settings.trusted_proxies);
    let peer = req.peer_addr().map(|a| a.ip());
    let client = resolve(peer, req.headers(), trusted);
    let headers = req.headers_mut();
    let forwarded = FORWARDING_HEADERS
        .iter()
        .any(|name| headers.contains_key(name));
    // Nothing to rewrite on the usual direct request: the hot path stays a few lookups.
    if forwarded || peer.map(canonical_ip) != Some(client.ip) {
        for name in &FORWARDING_HEADERS {
            headers.remove(name);
        }
        let node = match client.ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("\"[{v6}]\""),
        };
        let proto = if client.https { "https" } else { "http" };
        if let Ok(value) = HeaderValue::from_str(&format!("for={node};proto={proto}")) {
            headers.insert(FORWARDED, value);
        }
    }
    req.extensions_mut().insert(client);
    next.call(req).await
}

impl FromRequest for ClientAddr {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(client_of(req)))
    }
}

/// The client of a request: as [`identify_client`] resolved it, else its TCP peer.
pub fn client_of(req: &HttpRequest) -> ClientAddr {
    if let Some(client) = req.extensions().get::<ClientAddr>() {
        return *client;
    }
    resolve(
        req.peer_addr().map(|a| a.ip()),
        &HeaderMap::new(),
        &TrustedProxies::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn trusted() -> TrustedProxies {
        TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-real-ip", "1.2.3.4"),
            ("forwarded", "for=1.2.3.4;proto=https"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = resolve(Some(ip("192.0.2.7")), &h, &trusted());
        assert_eq!(client.ip, ip("192.0.2.7"));
        assert!(!client.https);
        // Nobody is trusted by default.
        let client = resolve(Some(ip("127.0.0.1")), &h, &TrustedProxies::default());
        assert_eq!(client.ip, ip("127.0.0.1"));
    }

    #[test]
    fn forwarded_comes_first_and_its_rightmost_untrusted_hop_is_the_client() {
        let h = headers(&[
            (
                "forwarded",
                "for=6.6.6.6, for=\"[2001:db8::17]:4711\";proto=http",
            ),
            ("forwarded", "for=10.1.1.1;proto=https"),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        let client = resolve(Some(ip("127.0.0.1")), &h, &trusted());
        assert_eq!(client.ip, ip("2001:db8::17"));
        assert!(client.https);
    }

    #[test]
    fn x_forwarded_for_skips_trusted_hops_from_the_right() {
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.9, 10.0.0.5"),
            ("x-forwarded-proto", "https"),
            ("x-real-ip", "10.0.0.5"),
        ]);
        let client = resolve(Some(ip("127.0.0.1")), &h, &trusted());
        assert_eq!(client.ip, ip("198.51.100.9"));
        assert!(client.https);
    }

    #[test]
    fn x_real_ip_is_the_last_resort_and_the_peer_when_nothing_is_said() {
        let h = headers(&[("x-real-ip", "203.0.113.4")]);
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), &h, &trusted()).ip,
            ip("203.0.113.4")
        );
        assert_eq!(
            resolve(Some(ip("::ffff:127.0.0.1")), &HeaderMap::new(), &trusted()).ip,
            ip("127.0.0.1")
        );
    }

    #[test]
    fn an_unknown_hop_stops_the_walk() {
        let h = headers(&[("forwarded", "for=6.6.6.6, for=unknown, for=10.0.0.2")]);
        // The client hides behind `unknown`: the last trusted hop answers for it.
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), &h, &trusted()).ip,
            ip("10.0.0.2")
        );
        let h = headers(&[("x-forwarded-for", "garbage")]);
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), &h, &trusted()).ip,
            ip("127.0.0.1")
        );
    }
}
