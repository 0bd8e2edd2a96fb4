//! `/admin/donors`: search, a donor's pledges, ledger and standing, their details and
//! per-field consent, and pinning a tier with a reason.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::{Field, Fields, FormState, WriteForm};
use super::session::Console;
use super::{act, after, attempt, refused_status, render, with_none, Ctx, FormPage};
use crate::domain::Total;
use crate::error::AppResult;
use crate::ledger::donors::{self, Donor, DonorDraft, DonorUpdate};
use crate::ledger::entries::{Entry, PageAt};
use crate::ledger::pledges::Pledge;
use crate::ledger::tiers::Tier;
use crate::web::api::{changed, created};
use crate::web::error::PageError;
use crate::web::inputs::{ConsentInput, DonorInput, DonorPatch, PinInput};
use crate::web::views::DonorView;
use crate::web::AppState;

const PAGE: i64 = 50;
const DETAIL_ENTRIES: i64 = 100;

#[derive(Template)]
#[template(path = "admin/donors.html")]
pub struct DonorsPage {
    pub ctx: Ctx,
    pub donors: Vec<Donor>,
    pub q: String,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DonorQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

/// `GET /admin/donors?q=&page=`: search by name or email, or every donor a page at a time.
pub async fn list(
    state: web::Data<AppState>,
    console: Console,
    query: web::Query<DonorQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let q = query.q.trim().to_owned();
    let page = Fields(vec![("page".to_owned(), query.page)])
        .id("page")?
        .unwrap_or(0)
        .clamp(0, crate::web::api::admin::MAX_PAGE);
    let needle = q.clone();
    let mut found = state
        .run(move |conn| {
            if needle.is_empty() {
                donors::list(conn, page, PAGE + 1)
            } else {
                donors::search(conn, &needle, PAGE + 1)
            }
        })
        .await?;
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let next = (more && q.is_empty()).then(|| format!("/admin/donors?page={}", page + 1));
    render(
        StatusCode::OK,
        &DonorsPage {
            ctx: Ctx::new(&console, "donors"),
            donors: found,
            q,
            next,
        },
    )
}

#[derive(Template)]
#[template(path = "admin/donor.html")]
pub struct DonorPage {
    pub ctx: Ctx,
    pub donor: Donor,
    pub monthly_support: Total,
    pub tier: Option<Tier>,
    pub pinned: Option<Tier>,
    pub pledges: Vec<Pledge>,
    pub entries: Vec<Entry>,
}

/// `GET /admin/donors/{id}`: as the JSON API's `show` computes it.
pub async fn show(
    state: web::Data<AppState>,
    console: Console,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let currency = state.settings.currency;
    let (donor, standing, pledges, entries, tiers) = state
        .run(move |conn| {
            let donor = donors::find(conn, id)?;
            let pledges = crate::ledger::pledges::list(conn, Some(id), None)?;
            let entries = crate::ledger::entries::list(
                conn,
                None,
                Some(id),
                PageAt::Number(0),
                DETAIL_ENTRIES,
            )?;
            let standing =
                crate::ledger::wall::standing(conn, &donor, &pledges, currency, crate::db::now())?;
            let tiers = crate::ledger::tiers::list(conn, true)?;
            Ok((donor, standing, pledges, entries.entries, tiers))
        })
        .await?;
    let find = |id: Option<i64>| id.and_then(|id| tiers.iter().find(|t| t.id == id).cloned());
    render(
        StatusCode::OK,
        &DonorPage {
            ctx: Ctx::new(&console, "donors"),
            tier: find(standing.tier_id),
            pinned: find(donor.pinned_tier_id),
            donor,
            monthly_support: standing.monthly_support,
            pledges,
            entries,
        },
    )
}

fn fields() -> Vec<Field> {
    vec![
        Field::new("public_name", "Public name", "text").required(),
        Field::new("legal_name", "Legal name", "text").hint("For receipts; never shown."),
        Field::new("email", "Email", "email"),
        Field::new("website", "Website", "url"),
        Field::new("fediverse_handle", "Fediverse handle", "text")
            .hint("Like @alice@example.social"),
        Field::new("locale", "Locale", "text").hint("e.g. en, nb"),
        Field::new(
            "anonymous",
            "Anonymous: counted in totals, never named",
            "checkbox",
        ),
        Field::new("consent_name", "May show their name", "checkbox"),
        Field::new("consent_logo", "May show their logo", "checkbox"),
        Field::new("consent_link", "May show their link", "checkbox"),
        Field::new("consent_handle", "May show their handle", "checkbox"),
        Field::new("consent_amount", "May show their amount", "checkbox"),
    ]
}

fn page(console: &Console, title: &str, action: String, back: String, form: FormState) -> FormPage {
    FormPage {
        ctx: Ctx::new(console, "donors"),
        title: title.to_owned(),
        intro: "Each detail is shown on the wall only with the donor's consent for it.".to_owned(),
        action,
        submit: "Save",
        fields: fields(),
        form,
        back,
    }
}

fn consent(f: &Fields) -> ConsentInput {
    ConsentInput {
        name: f.flag("consent_name"),
        logo: f.flag("consent_logo"),
        link: f.flag("consent_link"),
        handle: f.flag("consent_handle"),
        amount: f.flag("consent_amount"),
    }
}

fn input(f: &Fields) -> DonorInput {
    DonorInput {
        public_name: f.text("public_name"),
        email: f.get("email"),
        legal_name: f.get("legal_name"),
        website: f.get("website"),
        fediverse_handle: f.get("fediverse_handle"),
        anonymous: f.flag("anonymous"),
        consent: consent(f),
        locale: f.get("locale"),
    }
}

/// The whole edit form as a patch: a blank optional field clears it.
fn patch(f: &Fields) -> DonorPatch {
    DonorPatch {
        public_name: Some(f.text("public_name")),
        email: Some(f.get("email")),
        legal_name: Some(f.get("legal_name")),
        website: Some(f.get("website")),
        fediverse_handle: Some(f.get("fediverse_handle")),
        anonymous: Some(f.flag("anonymous")),
        consent: Some(consent(f)),
        locale: Some(f.get("locale")),
    }
}

/// `GET /admin/donors/new`.
pub async fn new_form(console: Console) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    render(
        StatusCode::OK,
        &page(
            &console,
            "New donor",
            "/admin/donors/new".to_owned(),
            "/admin/donors".to_owned(),
            FormState::default(),
        ),
    )
}

/// `POST /admin/donors/new`.
pub async fn create(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let change = DonorDraft::try_from(input(&form.fields)).map(|draft| {
        move |conn: &mut crate::db::DbConn| {
            let donor = donors::create(conn, draft)?;
            created(format!("donor:{}", donor.id), &DonorView::from(&donor))
        }
    });
    let outcome = attempt(&state, &form.console, "donor.create", change).await?;
    after(
        outcome,
        |body| format!("/admin/donors/{}", body["id"].as_i64().unwrap_or_default()),
        |err| {
            let again = FormState::refused(form.fields.clone(), err, &fields());
            render(
                refused_status(err),
                &page(
                    &form.console,
                    "New donor",
                    "/admin/donors/new".to_owned(),
                    "/admin/donors".to_owned(),
                    again,
                ),
            )
        },
    )
}

fn flag(on: bool) -> String {
    if on { "on" } else { "" }.to_owned()
}

/// `GET /admin/donors/{id}/edit`.
pub async fn edit_form(
    state: web::Data<AppState>,
    console: Console,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    let id = path.into_inner();
    let donor = state.run(move |conn| donors::find(conn, id)).await?;
    let mut values = vec![
        ("public_name", donor.public_name.clone()),
        ("legal_name", donor.legal_name.clone().unwrap_or_default()),
        ("email", donor.email.clone().unwrap_or_default()),
        ("website", donor.website.clone().unwrap_or_default()),
        (
            "fediverse_handle",
            donor
                .fediverse_handle
                .as_ref()
                .map(|h| h.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("locale", donor.locale.clone().unwrap_or_default()),
    ];
    for (name, on) in [
        ("anonymous", donor.anonymous),
        ("consent_name", donor.consent.name),
        ("consent_logo", donor.consent.logo),
        ("consent_link", donor.consent.link),
        ("consent_handle", donor.consent.handle),
        ("consent_amount", donor.consent.amount),
    ] {
        if on {
            values.push((name, flag(on)));
        }
    }
    render(
        StatusCode::OK,
        &page(
            &console,
            &format!("Edit {}", donor.public_name),
            format!("/admin/donors/{id}/edit"),
            format!("/admin/donors/{id}"),
            FormState::filled(values),
        ),
    )
}

/// `POST /admin/donors/{id}/edit`.
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let change = DonorUpdate::try_from(patch(&form.fields)).map(|update| {
        move |conn: &mut crate::db::DbConn| {
            let donor = donors::update(conn, id, update)?;
            changed(format!("donor:{id}"), &DonorView::from(&donor))
        }
    });
    let outcome = attempt(&state, &form.console, "donor.update", change).await?;
    after(
        outcome,
        |_| format!("/admin/donors/{id}"),
        |err| {
            let again = FormState::refused(form.fields.clone(), err, &fields());
            render(
                refused_status(err),
                &page(
                    &form.console,
                    "Edit donor",
                    format!("/admin/donors/{id}/edit"),
                    format!("/admin/donors/{id}"),
                    again,
                ),
            )
        },
    )
}

fn pin_fields(tiers: &[Tier]) -> Vec<Field> {
    vec![
        Field::new("tier_id", "Tier", "select").options(with_none(
            "no pin: the tier follows their support",
            tiers
                .iter()
                .filter(|t| !t.archived)
                .map(|t| (t.id.to_string(), t.name.clone()))
                .collect(),
        )),
        Field::new("reason", "Reason", "textarea")
            .required()
            .hint("Goes to the audit log."),
    ]
}

fn pin_page(console: &Console, id: i64, tiers: &[Tier], form: FormState) -> FormPage {
    FormPage {
        ctx: Ctx::new(console, "donors"),
        title: "Pin a tier".to_owned(),
        intro: "A pinned donor is shown in that tier whatever their support.".to_owned(),
        action: format!("/admin/donors/{id}/pin"),
        submit: "Pin",
        fields: pin_fields(tiers),
        form,
        back: format!("/admin/donors/{id}"),
    }
}

/// `GET /admin/donors/{id}/pin`.
pub async fn pin_form(
    state: web::Data<AppState>,
    console: Console,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    let id = path.into_inner();
    let (donor, tiers) = state
        .run(move |conn| {
            Ok((
                donors::find(conn, id)?,
                crate::ledger::tiers::list(conn, false)?,
            ))
        })
        .await?;
    let values = vec![(
        "tier_id",
        donor
            .pinned_tier_id
            .map(|t| t.to_string())
            .unwrap_or_default(),
    )];
    render(
        StatusCode::OK,
        &pin_page(&console, id, &tiers, FormState::filled(values)),
    )
}

/// `POST /admin/donors/{id}/pin`.
pub async fn pin(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let pin: AppResult<_> = form.fields.id("tier_id").and_then(|tier_id| {
        crate::web::inputs::pin(PinInput {
            tier_id,
            reason: form.fields.text("reason"),
        })
    });
    let change = pin.map(|(tier_id, reason)| {
        move |conn: &mut crate::db::DbConn| {
            crate::web::api::admin::donors::pinned(conn, id, tier_id, &reason)
        }
    });
    let outcome = attempt(&state, &form.console, "donor.pin_tier", change).await?;
    match outcome {
        super::Outcome::Done(_) => Ok(super::see_other(&format!("/admin/donors/{id}"))),
        super::Outcome::Refused(err) => {
            let tiers = state
                .run(|conn| crate::ledger::tiers::list(conn, false))
                .await?;
            let again = FormState::refused(form.fields.clone(), &err, &pin_fields(&tiers));
            render(
                refused_status(&err),
                &pin_page(&form.console, id, &tiers, again),
            )
        }
    }
}

/// `POST /admin/donors/{id}/erase` with `confirm` = `ERASE`: pseudonymises the donor.
pub async fn erase(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    if form.fields.text("confirm").trim() != "ERASE" {
        return Err(crate::error::AppError::invalid(
            "confirm",
            "type ERASE to confirm: erasure cannot be undone",
        )
        .into());
    }
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        let donor = donors::erase(conn, id)?;
        // The audit log keeps that it happened, not who it was.
        Ok(changed(format!("donor:{id}"), &DonorView::from(&donor))?
            .with_detail("erased on request".to_owned()))
    });
    act(&state, &form.console, "donor.erase", change, |_| {
        format!("/admin/donors/{id}")
    })
    .await
}
