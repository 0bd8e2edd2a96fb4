//! The console: server-rendered pages under `/admin/` for treasurers (read and write) and
//! viewers (read only). A module per resource; handlers stay thin: a posted form is read into
//! the same input struct the JSON API uses, converted into a ledger draft with `TryFrom`, and
//! written through the write unit as the signed-in account. Every post passes the CSRF check
//! in [`forms`] before a handler runs; every write route refuses viewers there too.

pub mod audit;
pub mod bank_pledges;
pub mod dashboard;
pub mod donors;
pub mod export;
pub mod forms;
pub mod import;
pub mod ledger;
pub mod limiter;
pub mod login;
pub mod logos;
pub mod pledges;
pub mod public_pages;
pub mod session;
pub mod settings;
pub mod tiers;
pub mod tokens;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ledger::write::Recorded;
use crate::web::error::{ApiError, PageError};
use crate::web::AppState;
use forms::{is_fixable, Field, FormState};
use session::Console;

/// Every route that changes something (all POST), `{id}` standing for a record's id. Viewers
/// are refused on each, and a post without the session's CSRF token writes nothing.
pub const WRITE_ROUTES: &[&str] = &[
    "/admin/donors/new",
    "/admin/donors/{id}/edit",
    "/admin/donors/{id}/pin",
    "/admin/donors/{id}/logo",
    "/admin/donors/{id}/logo/remove",
    "/admin/donors/{id}/erase",
    "/admin/pledges/new",
    "/admin/pledges/{id}/status",
    "/admin/pledges/pending/{id}/confirm",
    "/admin/pledges/pending/{id}/dismiss",
    "/admin/ledger/donation",
    "/admin/ledger/refund",
    "/admin/ledger/expense",
    "/admin/ledger/correction",
    "/admin/tiers/new",
    "/admin/tiers/{id}/edit",
    "/admin/tiers/{id}/move",
    "/admin/tiers/{id}/archive",
    "/admin/tokens",
    "/admin/tokens/{id}/revoke",
    "/admin/receipts/annual",
    "/admin/settings",
    "/admin/public",
];

/// What every console page shows around its content: who is signed in, the sign-out form's
/// token, and whether to offer writing at all.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub email: String,
    pub role: &'static str,
    pub csrf: String,
    pub can_write: bool,
    /// Which section of the navigation is current.
    pub section: &'static str,
}

impl Ctx {
    pub fn new(console: &Console, section: &'static str) -> Self {
        Self {
            email: console.session.email.clone(),
            role: console.session.role.as_str(),
            csrf: console.session.csrf_token.clone(),
            can_write: console.can_write(),
            section,
        }
    }

    /// `aria-current` for a navigation link.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

/// A page with one form, rendered from a list of fields (used by every create and edit form).
#[derive(Template)]
#[template(path = "admin/form.html")]
pub struct FormPage {
    pub ctx: Ctx,
    pub title: String,
    pub intro: String,
    pub action: String,
    pub submit: &'static str,
    pub fields: Vec<Field>,
    pub form: FormState,
    pub back: String,
}

/// Renders a page with a status.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, PageError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(format!("rendering a console page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// After a post: go and look at the result (303, so a reload does not post again).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// What became of a posted change.
pub enum Outcome {
    /// Written; the write unit's reply body.
    Done(serde_json::Value),
    /// Refused for a reason the person can fix: show the form again with it.
    Refused(AppError),
}

/// Runs a change through the write unit as the signed-in account. A change that could not even
/// be drafted (`Err`) and a change the ledger refused come back as [`Outcome::Refused`] when
/// the person can fix them; other failures are the page's error.
pub async fn attempt<C>(
    state: &AppState,
    console: &Console,
    action: &'static str,
    change: AppResult<C>,
) -> Result<Outcome, PageError>
where
    C: FnOnce(&mut DbConn) -> AppResult<Recorded> + Send + 'static,
{
    let change = match change {
        Ok(change) => change,
        Err(err) if is_fixable(&err) => return Ok(Outcome::Refused(err)),
        Err(err) => return Err(err.into()),
    };
    let writes = state.writes.clone();
    let actor = console.actor();
    let address = Some(console.address);
    let reply = state
        .run(move |conn| writes.apply_from(conn, actor, address, action, None, change))
        .await;
    match reply {
        Ok(reply) => Ok(Outcome::Done(
            serde_json::from_str(&reply.body)
                .map_err(|e| ApiError::Internal(format!("reading a reply: {e}")))?,
        )),
        Err(ApiError::App(err)) if is_fixable(&err) => Ok(Outcome::Refused(err)),
        Err(err) => Err(err.into()),
    }
}

/// The status a refused form is shown again with (422 for invalid input, 409 for a conflict).
pub fn refused_status(err: &AppError) -> StatusCode {
    match err {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Shows a form again after a refusal, or answers a finished write with a redirect.
pub fn after(
    outcome: Outcome,
    done: impl FnOnce(&serde_json::Value) -> String,
    again: impl FnOnce(&AppError) -> Result<HttpResponse, PageError>,
) -> Result<HttpResponse, PageError> {
    match outcome {
        Outcome::Done(body) => Ok(see_other(&done(&body))),
        Outcome::Refused(err) => again(&err),
    }
}

/// Runs a change posted by a button, not a form: a finished write redirects where `done` says,
/// a refusal is the page's error (there is no form to show again).
pub async fn act<C>(
    state: &AppState,
    console: &Console,
    action: &'static str,
    change: AppResult<C>,
    done: impl FnOnce(&serde_json::Value) -> String,
) -> Result<HttpResponse, PageError>
where
    C: FnOnce(&mut DbConn) -> AppResult<Recorded> + Send + 'static,
{
    match attempt(state, console, action, change).await? {
        Outcome::Done(body) => Ok(see_other(&done(&body))),
        Outcome::Refused(err) => Err(err.into()),
    }
}

/// The page of the donor a write's reply names (`donor_id`), or `otherwise` for an anonymous one.
pub fn donor_or(body: &serde_json::Value, otherwise: &str) -> String {
    match body["donor_id"].as_i64() {
        Some(donor) => format!("/admin/donors/{donor}"),
        None => otherwise.to_owned(),
    }
}

/// `(value, label)` options for a select, with an empty first choice.
pub fn with_none(label: &str, options: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut all = vec![(String::new(), label.to_owned())];
    all.extend(options);
    all
}

async fn home() -> HttpResponse {
    see_other("/admin")
}

/// Registers the console's routes; each path answers 405 with `Allow` for other methods.
pub fn configure(cfg: &mut web::ServiceConfig) {
    use actix_web::http::Method;
    use actix_web::HttpRequest;
    fn resource(
        path: &'static str,
        get: Option<actix_web::Route>,
        post: Option<actix_web::Route>,
    ) -> actix_web::Resource {
        let mut allowed = Vec::new();
        let mut resource = web::resource(path);
        if let Some(get) = get {
            allowed.push(Method::GET);
            resource = resource.route(get);
        }
        if let Some(post) = post {
            allowed.push(Method::POST);
            resource = resource.route(post);
        }
        resource.default_service(web::to(move |req: HttpRequest| {
            let allowed = allowed.clone();
            async move { Err::<&str, _>(PageError(super::method_not_allowed(&req, &allowed))) }
        }))
    }
    cfg.service(resource(
        "/admin",
        Some(web::get().to(dashboard::show)),
        None,
    ))
    .service(resource("/admin/", Some(web::get().to(home)), None))
    .service(resource(
        "/admin/receipts/annual",
        None,
        Some(web::post().to(dashboard::queue_statements)),
    ))
    .service(resource(
        "/admin/login",
        Some(web::get().to(login::form)),
        Some(web::post().to(login::sign_in)),
    ))
    .service(resource(
        "/admin/logout",
        None,
        Some(web::post().to(login::sign_out)),
    ))
    .service(resource(
        "/admin/donors",
        Some(web::get().to(donors::list)),
        None,
    ))
    .service(resource(
        "/admin/donors/new",
        Some(web::get().to(donors::new_form)),
        Some(web::post().to(donors::create)),
    ))
    .service(resource(
        "/admin/donors/{id}",
        Some(web::get().to(donors::show)),
        None,
    ))
    .service(resource(
        "/admin/donors/{id}/edit",
        Some(web::get().to(donors::edit_form)),
        Some(web::post().to(donors::update)),
    ))
    .service(resource(
        "/admin/donors/{id}/pin",
        Some(web::get().to(donors::pin_form)),
        Some(web::post().to(donors::pin)),
    ))
    .service(resource(
        "/admin/donors/{id}/erase",
        None,
        Some(web::post().to(donors::erase)),
    ))
    .service(resource(
        "/admin/pledges",
        Some(web::get().to(pledges::list)),
        None,
    ))
    .service(resource(
        "/admin/pledges/new",
        Some(web::get().to(pledges::new_form)),
        Some(web::post().to(pledges::create)),
    ))
    .service(resource(
        "/admin/pledges/{id}/status",
        None,
        Some(web::post().to(pledges::change_status)),
    ))
    .service(resource(
        "/admin/pledges/pending",
        Some(web::get().to(bank_pledges::list)),
        None,
    ))
    .service(resource(
        "/admin/pledges/pending/{id}/confirm",
        None,
        Some(web::post().to(bank_pledges::confirm)),
    ))
    .service(resource(
        "/admin/pledges/pending/{id}/dismiss",
        None,
        Some(web::post().to(bank_pledges::dismiss)),
    ))
    .service(resource(
        "/admin/ledger",
        Some(web::get().to(ledger::list)),
        None,
    ))
    .service(resource(
        "/admin/ledger/donation",
        Some(web::get().to(ledger::donation_form)),
        Some(web::post().to(ledger::record_donation)),
    ))
    .service(resource(
        "/admin/ledger/refund",
        Some(web::get().to(ledger::refund_form)),
        Some(web::post().to(ledger::record_refund)),
    ))
    .service(resource(
        "/admin/ledger/expense",
        Some(web::get().to(ledger::expense_form)),
        Some(web::post().to(ledger::record_expense)),
    ))
    .service(resource(
        "/admin/ledger/correction",
        Some(web::get().to(ledger::correction_form)),
        Some(web::post().to(ledger::record_correction)),
    ))
    .service(resource(
        "/admin/tiers",
        Some(web::get().to(tiers::list)),
        None,
    ))
    .service(resource(
        "/admin/tiers/new",
        Some(web::get().to(tiers::new_form)),
        Some(web::post().to(tiers::create)),
    ))
    .service(resource(
        "/admin/tiers/{id}/edit",
        Some(web::get().to(tiers::edit_form)),
        Some(web::post().to(tiers::update)),
    ))
    .service(resource(
        "/admin/tiers/{id}/archive",
        None,
        Some(web::post().to(tiers::archive)),
    ))
    .service(resource(
        "/admin/export/ledger.csv",
        Some(web::get().to(export::ledger)),
        None,
    ))
    .service(resource(
        "/admin/export/donors.csv",
        Some(web::get().to(export::donors)),
        None,
    ))
    .service(resource(
        "/admin/audit",
        Some(web::get().to(audit::list)),
        None,
    ))
    .service(resource(
        "/admin/tokens",
        Some(web::get().to(tokens::list)),
        Some(web::post().to(tokens::create)),
    ))
    .service(resource(
        "/admin/tiers/{id}/move",
        None,
        Some(web::post().to(tiers::reorder)),
    ))
    .service(resource(
        "/admin/settings",
        Some(web::get().to(settings::show)),
        Some(web::post().to(settings::update)),
    ))
    .service(resource(
        "/admin/public",
        Some(web::get().to(public_pages::show)),
        Some(web::post().to(public_pages::update)),
    ))
    .service(resource(
        "/admin/donors/{id}/logo",
        Some(web::get().to(logos::logo_form)),
        Some(web::post().to(logos::upload_logo)),
    ))
    .service(resource(
        "/admin/donors/{id}/logo/remove",
        None,
        Some(web::post().to(logos::remove_logo)),
    ))
    .service(resource(
        "/admin/import",
        Some(web::get().to(import::form)),
        Some(web::post().to(import::upload)),
    ))
    .service(resource(
        "/admin/import/confirm",
        None,
        Some(web::post().to(import::confirm)),
    ))
    .service(resource(
        "/admin/tokens/{id}/revoke",
        None,
        Some(web::post().to(tokens::revoke)),
    ));
}

/// Money for a template: `12.50 EUR`.
pub fn money(m: &crate::domain::Money) -> String {
    m.to_string()
}

/// A time for a template: `2026-11-25 14:03 UTC`.
pub fn when(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
