//! The donation form's double-submit CSRF token: there is no session before a donation.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use crate::web::admin::forms::{same_token, Fields};
use crate::web::error::{ApiError, PageError};
use crate::web::AppState;

/// The hidden field repeating the form's CSRF cookie.
pub(super) const CSRF_FIELD: &str = "csrf";

/// The form's own CSRF cookie: a double submit, as there is no session before a donation.
pub(crate) fn csrf_cookie_name(settings: &crate::config::Settings) -> &'static str {
    if settings.is_https() {
        "__Host-coffer_donate"
    } else {
        "coffer_donate"
    }
}

pub(crate) fn csrf_cookie(settings: &crate::config::Settings, token: String) -> Cookie<'static> {
    Cookie::build(csrf_cookie_name(settings), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.is_https())
        .max_age(actix_web::cookie::time::Duration::hours(2))
        .finish()
}

/// Refuses a post whose hidden token does not repeat its cookie's.
pub(crate) fn check_csrf(
    state: &AppState,
    req: &HttpRequest,
    fields: &Fields,
) -> Result<(), PageError> {
    let cookie = req
        .cookie(csrf_cookie_name(&state.settings))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let sent = fields.text(CSRF_FIELD);
    if cookie.is_empty() || !same_token(&cookie, &sent) {
        return Err(ApiError::Forbidden(
            "this form has expired or did not come from this site; reload it and try again"
                .to_owned(),
        )
        .into());
    }
    Ok(())
}

pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
