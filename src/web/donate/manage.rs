//! Donor self-service: a signed, expiring link opens a page where the donor changes what the
//! wall shows of them and cancels a recurring Stripe pledge. The link is requested by email
//! from `/donate/manage`, which answers the same whether or not the address is known.
//!
//! The link carries `donor id . expiry . HMAC-SHA256(COFFER_SECRET_KEY, "manage:" id "." expiry)`:
//! nothing is stored, and a changed secret key ends every link.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{check_csrf, csrf_cookie, random_token, DonateQuery};
use crate::domain::{Consent, PledgeStatus, Source};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ledger::donors::{self, Donor};
use crate::ledger::pledges::{self, Pledge};
pub use crate::ledger::self_service::{sign, verify};
use crate::ledger::write::{Actor, Recorded};
use crate::payments::stripe;
use crate::web::admin::forms::Fields;
use crate::web::error::{ApiError, PageError};
use crate::web::pages::{visitor_lang, Localized};
use crate::web::AppState;

/// The request form, and the answer to a request.
#[derive(Template)]
#[template(path = "donate/manage_request.html")]
pub struct RequestPage {
    pub lang: Lang,
    pub csrf: String,
    pub sent: bool,
}

impl Localized for RequestPage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

/// The self-service page.
#[derive(Template)]
#[template(path = "donate/manage.html")]
pub struct ManagePage {
    pub lang: Lang,
    pub csrf: String,
    pub token: String,
    pub donor: Donor,
    pub pledges: Vec<Pledge>,
    pub message: Option<String>,
}

impl Localized for ManagePage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl ManagePage {
    fn pledge_line(&self, pledge: &Pledge) -> String {
        self.lang.t_args(
            "manage-pledge",
            &[
                ("amount", self.lang.money(pledge.amount)),
                (
                    "interval",
                    self.lang
                        .t(&format!("interval-{}", pledge.interval.as_str())),
                ),
                (
                    "status",
                    self.lang
                        .t(&format!("manage-status-{}", pledge.status.as_str())),
                ),
            ],
        )
    }

    /// Only Stripe pledges that still run can be cancelled here (others belong to the
    /// treasurer or to another platform).
    fn can_cancel(&self, pledge: &Pledge) -> bool {
        pledge.source == Source::Stripe
            && pledge.status != PledgeStatus::Cancelled
            && pledge.external_ref.is_some()
    }
}

fn key(state: &AppState) -> Result<Vec<u8>, PageError> {
    state
        .settings
        .console_key()
        .map(<[u8]>::to_vec)
        .map_err(|_| AppError::not_found("self-service", "(no secret key configured)").into())
}

fn render<T: Template>(
    state: &AppState,
    status: StatusCode,
    page: &T,
    csrf: String,
) -> Result<HttpResponse, PageError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(format!("rendering a self-service page: {e}")))?;
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // The link is a secret: never send it on to another site.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(html);
    response
        .add_cookie(&csrf_cookie(&state.settings, csrf))
        .map_err(|e| ApiError::Internal(format!("setting the form cookie: {e}")))?;
    Ok(response)
}

/// `GET /donate/manage`: ask for a link by email.
pub async fn request_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DonateQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor_lang(&req, query.lang.as_deref());
    let csrf = random_token();
    render(
        &state,
        StatusCode::OK,
        &RequestPage {
            lang,
            csrf: csrf.clone(),
            sent: false,
        },
        csrf,
    )
}

/// `POST /donate/manage`: emails a link to a known donor. The answer is the same either way,
/// so the form tells nobody who gives.
pub async fn request_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = Fields(
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?,
    );
    check_csrf(&state, &req, &fields)?;
    let lang = visitor_lang(&req, fields.get("lang").as_deref());
    let client = crate::web::client::client_of(&req);
    let email = fields.get("email").unwrap_or_default().to_lowercase();
    state
        .rate_limit(
            &state.donate_limiter,
            vec![format!("manage:{client}"), format!("manage-email:{email}")],
        )
        .await?;
    let key = key(&state)?;
    let public_url = state.settings.public_url.clone();
    let default_name = state.settings.instance_name.clone();
    let writes = state.writes.clone();
    state
        .run(move |conn| {
            let Some(donor) = crate::db::donors::find_by_email(conn, &email)? else {
                return Ok(());
            };
            let instance = crate::ledger::settings::instance_name(conn, &default_name)?;
            let link = crate::ledger::self_service::link(
                &public_url,
                &key,
                donor.id,
                lang,
                chrono::Utc::now(),
            );
            let subject = lang.t_args("manage-mail-subject", &[("instance", instance.clone())]);
            let text = lang.t_args(
                "manage-mail-text",
                &[("instance", instance.clone()), ("link", link.clone())],
            );
            let html = format!(
                "<p>{}</p><p><a href=\"{}\">{}</a></p>",
                escape(&lang.t_args("manage-mail-intro", &[("instance", instance)])),
                escape(&link),
                escape(&link)
            );
            writes.apply_from(
                conn,
                Actor::System("self-service"),
                Some(client.ip),
                "donor.manage_link",
                None,
                |conn| {
                    let now = crate::db::now();
                    crate::db::outbox::insert(
                        conn,
                        &crate::db::outbox::NewMessage {
                            kind: "manage_link",
                            receipt_number: None,
                            dedupe_key: None,
                            recipient: donor.email.as_deref().unwrap_or_default(),
                            subject: Some(&subject),
                            body_text: Some(&text),
                            body_html: Some(&html),
                            status: "queued",
                            attempts: 0,
                            next_attempt_at: now,
                            created_at: now,
                        },
                    )?;
                    Ok(Recorded {
                        status: 200,
                        body: serde_json::json!({"donor": donor.id}),
                        subject: format!("donor:{}", donor.id),
                        detail: Some("self-service link sent".to_owned()),
                    })
                },
            )?;
            Ok(())
        })
        .await?;
    let csrf = random_token();
    render(
        &state,
        StatusCode::OK,
        &RequestPage {
            lang,
            csrf: csrf.clone(),
            sent: true,
        },
        csrf,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The donor a link names, or the refusal page's error.
fn donor_of(state: &AppState, token: &str) -> Result<i64, PageError> {
    let key = key(state)?;
    verify(&key, token, chrono::Utc::now().timestamp()).ok_or_else(|| {
        ApiError::Forbidden(
            "this link is not valid or has expired; ask for a new one at /donate/manage".to_owned(),
        )
        .into()
    })
}

async fn show(
    state: &AppState,
    lang: Lang,
    token: String,
    donor_id: i64,
    message: Option<String>,
) -> Result<HttpResponse, PageError> {
    let (donor, pledges) = state
        .run(move |conn| {
            let donor = donors::find(conn, donor_id)?;
            let pledges = pledges::list(conn, Some(donor_id), None)?;
            Ok((donor, pledges))
        })
        .await?;
    if donor.erased {
        return Err(AppError::not_found("donor", donor_id).into());
    }
    let csrf = random_token();
    render(
        state,
        StatusCode::OK,
        &ManagePage {
            lang,
            csrf: csrf.clone(),
            token,
            donor,
            pledges,
            message,
        },
        csrf,
    )
}

/// `GET /donate/manage/{token}`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<DonateQuery>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let donor_id = donor_of(&state, &token)?;
    let lang = visitor_lang(&req, query.lang.as_deref());
    show(&state, lang, token, donor_id, None).await
}

/// `POST /donate/manage/{token}`: change what the wall shows, or cancel a Stripe pledge (at
/// Stripe; the ledger follows from the webhook).
pub async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let donor_id = donor_of(&state, &token)?;
    let fields = Fields(
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?,
    );
    check_csrf(&state, &req, &fields)?;
    let lang = visitor_lang(&req, fields.get("lang").as_deref());
    let address = Some(crate::web::client::client_of(&req).ip);
    let writes = state.writes.clone();
    let message = match fields.get("action").as_deref() {
        Some("consent") => {
            let consent = Consent {
                name: fields.flag("show_name"),
                logo: fields.flag("show_logo"),
                link: fields.flag("show_link"),
                handle: fields.flag("show_handle"),
                amount: fields.flag("show_amount"),
            };
            let anonymous = fields.flag("anonymous");
            state
                .run(move |conn| {
                    writes.apply_from(
                        conn,
                        Actor::System("self-service"),
                        address,
                        "donor.consent",
                        None,
                        |conn| {
                            donors::update(
                                conn,
                                donor_id,
                                donors::DonorUpdate {
                                    consent: Some(consent),
                                    anonymous: Some(anonymous),
                                    ..Default::default()
                                },
                            )?;
                            Ok(Recorded {
                                status: 200,
                                body: serde_json::json!({
                                    "donor": donor_id, "anonymous": anonymous,
                                    "consent": {"name": consent.name, "logo": consent.logo,
                                        "link": consent.link, "handle": consent.handle,
                                        "amount": consent.amount},
                                }),
                                subject: format!("donor:{donor_id}"),
                                detail: None,
                            })
                        },
                    )
                })
                .await?;
            lang.t("manage-saved")
        }
        Some("cancel") => {
            let pledge_id = fields.id("pledge")?.unwrap_or_default();
            let pledge = state
                .run(move |conn| pledges::find(conn, pledge_id))
                .await?;
            let subscription = pledge
                .external_ref
                .clone()
                .filter(|_| {
                    pledge.donor_id == donor_id
                        && pledge.source == Source::Stripe
                        && pledge.status != PledgeStatus::Cancelled
                })
                .ok_or_else(|| AppError::not_found("pledge", pledge_id))?;
            let api = state.stripe.clone().ok_or_else(|| {
                ApiError::Internal("Stripe is not configured; ask the treasurer".to_owned())
            })?;
            stripe::cancel_subscription(&api, &subscription)
                .await
                .map_err(|e| ApiError::Internal(format!("cancelling {subscription}: {e}")))?;
            lang.t("manage-cancelling")
        }
        _ => return Err(ApiError::BadRequest("unknown action".to_owned()).into()),
    };
    show(&state, lang, token, donor_id, Some(message)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_until_they_expire_and_not_when_altered() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = sign(key, 42, 1_000);
        assert_eq!(verify(key, &token, 999), Some(42));
        assert_eq!(verify(key, &token, 1_000), Some(42));
        assert_eq!(verify(key, &token, 1_001), None);
        assert_eq!(
            verify(b"another key of thirty-two bytes!", &token, 999),
            None
        );
        let forged = token.replacen("42.", "43.", 1);
        assert_eq!(verify(key, &forged, 999), None);
        let extended = token.replacen(".1000.", ".9999.", 1);
        assert_eq!(verify(key, &extended, 999), None);
        assert_eq!(verify(key, "nonsense", 0), None);
    }
}
