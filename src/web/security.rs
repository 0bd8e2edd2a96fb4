//! The security headers every answer carries, and the Content Security Policy that pages which
//! need more (the donation form) widen from.

use actix_web::middleware::DefaultHeaders;

/// Content Security Policy: no scripts at all, styles and images from this origin only.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The headers every answer carries; behind https, browsers are also told to come back only
/// over https for a year.
pub fn headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"));
    if https {
        headers.add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}
