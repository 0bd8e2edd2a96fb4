//! Signing in and out. A wrong password and an unknown email take the same time and get the
//! same answer; tries are limited per address and per account. Before there is a session, the
//! sign-in form's CSRF token is a random value in a short-lived cookie of its own, which the
//! post must repeat in its hidden field (a double submit), so another site cannot sign a
//! browser into an account of its choosing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use actix_web::cookie::{Cookie, SameSite};

use super::forms::{same_token, PostedForm};
use super::session::{self, Console};
use super::{render, see_other};
use crate::ledger::admins;
use crate::ledger::write::{Actor, Recorded};
use crate::web::error::{ApiError, PageError};
use crate::web::AppState;

/// The sign-in form.
#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    pub email: String,
    pub message: Option<String>,
    pub csrf: String,
}

/// The sign-in form's own CSRF cookie.
fn login_cookie_name(settings: &crate::config::Settings) -> &'static str {
    if settings.is_https() {
        "__Host-coffer_sign_in"
    } else {
        "coffer_sign_in"
    }
}

fn login_cookie(settings: &crate::config::Settings, token: String) -> Cookie<'static> {
    Cookie::build(login_cookie_name(settings), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.is_https())
        .max_age(actix_web::cookie::time::Duration::hours(1))
        .finish()
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// `GET /admin/login`: the form, with a fresh token in its field and in its cookie.
pub async fn form(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let token = random_token();
    let mut response = render(
        StatusCode::OK,
        &LoginPage {
            email: String::new(),
            message: None,
            csrf: token.clone(),
        },
    )?;
    response
        .add_cookie(&login_cookie(&state.settings, token))
        .map_err(|e| ApiError::Internal(format!("setting the sign-in cookie: {e}")))?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/login`: checks the password off the async workers, opens a session, and sets
/// its cookie.
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Credentials>,
) -> Result<HttpResponse, PageError> {
    let Credentials {
        email,
        password,
        csrf,
    } = form.into_inner();
    let cookie = req
        .cookie(login_cookie_name(&state.settings))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if cookie.is_empty() || !same_token(&cookie, &csrf) {
        return Err(ApiError::Forbidden(
            "this sign-in form has expired or did not come from Coffer; reload it and try again"
                .to_owned(),
        )
        .into());
    }
    let email = email.trim().to_lowercase();
    let client = crate::web::client::client_of(&req);
    state
        .rate_limit(
            &state.sign_in_limiter,
            vec![
                format!("sign-in-address:{client}"),
                format!("sign-in-account:{email}"),
            ],
        )
        .await?;

    let lookup = email.clone();
    let account = state
        .run(move |conn| admins::for_sign_in(conn, &lookup))
        .await?;
    let hash = account.as_ref().map(|(_, hash)| hash.clone());
    // Verified on the blocking pool: argon2 takes tens of milliseconds by design.
    let verified = web::block(move || admins::verify_password(hash.as_deref(), &password))
        .await
        .map_err(ApiError::from)?;
    let admin = match (account, verified) {
        (Some((admin, _)), true) => admin,
        _ => {
            tracing::info!("a console sign-in failed");
            return render(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    email,
                    message: Some("Wrong email or password.".to_owned()),
                    csrf,
                },
            );
        }
    };
    // Only now: without accounts there is nothing to sign into, and no key is needed.
    let key = session::key(&state.settings)?;
    let writes = state.writes.clone();
    let policy = session::policy(&state.settings);
    let opened = state
        .run(move |conn| {
            admins::sweep_sessions(conn, policy, crate::db::now())?;
            let mut opened = None;
            writes.apply_from(
                conn,
                Actor::Admin(admin.id),
                Some(client.ip),
                "admin.sign_in",
                None,
                |conn| {
                    let new = admins::start_session(conn, &key, &admin)?;
                    opened = Some(new.token);
                    Ok(Recorded {
                        status: 200,
                        body: serde_json::Value::Null,
                        subject: format!("admin:{}", admin.id),
                        detail: Some(admin.email.clone()),
                    })
                },
            )?;
            opened.ok_or_else(|| crate::error::AppError::Internal("no session".to_owned()))
        })
        .await?;
    let mut response = see_other("/admin");
    let mut spent = login_cookie(&state.settings, String::new());
    spent.make_removal();
    response
        .add_cookie(&session::session_cookie(&state.settings, opened))
        .and_then(|()| response.add_cookie(&spent))
        .map_err(|e| ApiError::Internal(format!("setting the session cookie: {e}")))?;
    Ok(response)
}

/// `POST /admin/logout`: ends the session (any role may), and clears the cookie.
pub async fn sign_out(
    state: web::Data<AppState>,
    form: PostedForm,
) -> Result<HttpResponse, PageError> {
    end(&state, &form.console).await?;
    let mut response = see_other("/admin/login");
    response
        .add_cookie(&session::cleared_cookie(&state.settings))
        .map_err(|e| ApiError::Internal(format!("clearing the session cookie: {e}")))?;
    Ok(response)
}

async fn end(state: &AppState, console: &Console) -> Result<(), ApiError> {
    let writes = state.writes.clone();
    let id = console.session.id.clone();
    let admin_id = console.session.admin_id;
    let address = Some(console.address);
    state
        .run(move |conn| {
            writes.apply_from(
                conn,
                Actor::Admin(admin_id),
                address,
                "admin.sign_out",
                None,
                |conn| {
                    admins::end_session(conn, &id)?;
                    Ok(Recorded {
                        status: 200,
                        body: serde_json::Value::Null,
                        subject: format!("admin:{admin_id}"),
                        detail: Some(String::new()),
                    })
                },
            )
        })
        .await?;
    Ok(())
}
