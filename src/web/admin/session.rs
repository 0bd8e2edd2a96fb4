//! Who is using the console: the session cookie, read into a [`Console`] on every request.
//!
//! The cookie holds an opaque random token (`HttpOnly`, `SameSite=Strict`, and `Secure` with
//! the `__Host-` prefix when Coffer is served over https); the session itself lives in the
//! database, so it survives a restart and ends when the account is disabled.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::config::Settings;
use crate::domain::Role;
use crate::ledger::admins::{self, Session, SessionPolicy};
use crate::ledger::write::Actor;
use crate::web::error::ApiError;
use crate::web::AppState;

/// The cookie's name: `__Host-` bound to this exact origin when served over https.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "__Host-coffer_session"
    } else {
        "coffer_session"
    }
}

/// The cookie that carries a new session's token.
pub fn session_cookie(settings: &Settings, token: String) -> Cookie<'static> {
    Cookie::build(cookie_name(settings), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.is_https())
        .finish()
}

/// The cookie that removes the session cookie.
pub fn cleared_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = session_cookie(settings, String::new());
    cookie.make_removal();
    cookie
}

/// How long sessions last, from the settings.
pub fn policy(settings: &Settings) -> SessionPolicy {
    SessionPolicy {
        idle: settings.session_idle,
        lifetime: settings.session_lifetime,
    }
}

/// The console's secret key, or a logged internal error when it is missing or too short.
pub fn key(settings: &Settings) -> Result<Vec<u8>, ApiError> {
    settings
        .console_key()
        .map(<[u8]>::to_vec)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A signed-in account's live session.
#[derive(Debug, Clone)]
pub struct Console {
    pub session: Session,
    /// The client's address, for the audit log.
    pub address: std::net::IpAddr,
}

impl Console {
    /// True for treasurers: they may change things; viewers only read.
    pub fn can_write(&self) -> bool {
        self.session.role == Role::Treasurer
    }

    /// How the audit log names this account.
    pub fn actor(&self) -> Actor {
        Actor::Admin(self.session.admin_id)
    }

    /// Refuses a viewer.
    pub fn require_treasurer(&self) -> Result<(), ApiError> {
        if self.can_write() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "viewers may read the ledger but not change it".to_owned(),
            ))
        }
    }
}

impl FromRequest for Console {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let address = crate::web::client::client_of(req).ip;
        let token = state.as_ref().and_then(|state| {
            req.cookie(cookie_name(&state.settings))
                .map(|c| c.value().to_owned())
        });
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(ApiError::SignInRequired);
            };
            let key = key(&state.settings)?;
            let policy = policy(&state.settings);
            let session = state
                .run(move |conn| admins::session(conn, &key, &token, policy, crate::db::now()))
                .await?;
            session
                .map(|session| Console { session, address })
                .ok_or(ApiError::SignInRequired)
        })
    }
}
