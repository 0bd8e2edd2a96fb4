//! `/admin/pledges`: list by status, create, and pause, resume or cancel.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::{Field, Fields, FormState, WriteForm};
use super::session::Console;
use super::{act, after, attempt, donor_or, refused_status, render, with_none, Ctx, FormPage};
use crate::domain::PledgeStatus;
use crate::error::{AppError, AppResult};
use crate::ledger::pledges::{self, Pledge, PledgeDraft};
use crate::web::api::created;
use crate::web::error::PageError;
use crate::web::inputs::{PledgeInput, StatusInput};
use crate::web::views::PledgeView;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/pledges.html")]
pub struct PledgesPage {
    pub ctx: Ctx,
    pub pledges: Vec<Pledge>,
    pub status: String,
    pub statuses: Vec<&'static str>,
}

const STATUSES: [&str; 4] = ["active", "past_due", "paused", "cancelled"];

#[derive(Debug, Deserialize)]
pub struct PledgeQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    donor_id: String,
}

/// `GET /admin/pledges?status=&donor_id=`.
pub async fn list(
    state: web::Data<AppState>,
    console: Console,
    query: web::Query<PledgeQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let fields = Fields(vec![
        ("status".to_owned(), query.status.clone()),
        ("donor_id".to_owned(), query.donor_id.clone()),
    ]);
    let status = fields
        .get("status")
        .map(|s| PledgeStatus::parse(&s).map_err(|e| AppError::invalid("status", e.to_string())))
        .transpose()?;
    let donor_id = fields.id("donor_id")?;
    let pledges = state
        .run(move |conn| pledges::list(conn, donor_id, status))
        .await?;
    render(
        StatusCode::OK,
        &PledgesPage {
            ctx: Ctx::new(&console, "pledges"),
            pledges,
            status: query.status.trim().to_owned(),
            statuses: STATUSES.to_vec(),
        },
    )
}

fn fields() -> Vec<Field> {
    let options = |values: &[&str]| {
        values
            .iter()
            .map(|v| (v.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    vec![
        Field::new("donor_id", "Donor number", "number").required(),
        Field::new("tier_id", "Tier number", "number").hint("Optional."),
        Field::new("amount", "Amount", "text")
            .required()
            .hint("Like 10.00"),
        Field::new("currency", "Currency", "text").hint("Empty for the instance currency."),
        Field::new("interval", "Every", "select").options(options(&["month", "year"])),
        Field::new("source", "Source", "select").options(with_none(
            "manual",
            options(&["bank", "stripe", "patreon", "liberapay", "opencollective"]),
        )),
        Field::new("external_ref", "External reference", "text"),
        Field::new("started_at", "Started", "date").hint("Empty for now."),
    ]
}

fn page(console: &Console, form: FormState) -> FormPage {
    FormPage {
        ctx: Ctx::new(console, "pledges"),
        title: "New pledge".to_owned(),
        intro: "A recurring promise of support; it counts towards the donor's tier while active."
            .to_owned(),
        action: "/admin/pledges/new".to_owned(),
        submit: "Save",
        fields: fields(),
        form,
        back: "/admin/pledges".to_owned(),
    }
}

fn input(f: &Fields) -> AppResult<PledgeInput> {
    Ok(PledgeInput {
        donor_id: f.required_id("donor_id")?,
        tier_id: f.id("tier_id")?,
        amount: f.text("amount").trim().to_owned(),
        currency: f.get("currency"),
        interval: f.text("interval"),
        source: f.get("source"),
        external_ref: f.get("external_ref"),
        started_at: f.date("started_at")?,
    })
}

/// `GET /admin/pledges/new?donor_id=`.
pub async fn new_form(
    console: Console,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    let donor = Fields(query.into_inner()).text("donor_id");
    render(
        StatusCode::OK,
        &page(
            &console,
            FormState::filled(vec![("donor_id", donor), ("interval", "month".to_owned())]),
        ),
    )
}

/// `POST /admin/pledges/new`.
pub async fn create(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let currency = state.settings.currency;
    let change = input(&form.fields)
        .and_then(|i| PledgeDraft::try_from((i, currency)))
        .map(|draft| {
            move |conn: &mut crate::db::DbConn| {
                let pledge = pledges::create(conn, draft)?;
                created(format!("pledge:{}", pledge.id), &PledgeView::from(&pledge))
            }
        });
    let outcome = attempt(&state, &form.console, "pledge.create", change).await?;
    after(
        outcome,
        |body| match body["donor_id"].as_i64() {
            Some(donor) => format!("/admin/donors/{donor}"),
            None => "/admin/pledges".to_owned(),
        },
        |err| {
            let again = FormState::refused(form.fields.clone(), err, &fields());
            render(refused_status(err), &page(&form.console, again))
        },
    )
}

/// `POST /admin/pledges/{id}/status` with `status` = `paused`, `active` or `cancelled`.
pub async fn change_status(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let status = PledgeStatus::try_from(StatusInput {
        status: form.fields.text("status"),
    })?;
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        crate::web::api::admin::pledges::status_changed(conn, id, status)
    });
    act(&state, &form.console, "pledge.status", change, |body| {
        donor_or(body, "/admin/pledges")
    })
    .await
}
