//! `/admin/tiers`: create, edit and archive sponsor tiers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::forms::{Field, Fields, FormState, WriteForm};
use super::session::Console;
use super::{act, after, attempt, refused_status, render, Ctx, FormPage};
use crate::domain::Perk;
use crate::error::AppResult;
use crate::ledger::tiers::{self, Tier, TierDraft, TierUpdate};
use crate::web::api::{changed, created};
use crate::web::error::PageError;
use crate::web::inputs::{TierInput, TierPatch};
use crate::web::views::TierView;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/tiers.html")]
pub struct TiersPage {
    pub ctx: Ctx,
    pub tiers: Vec<Tier>,
}

impl TiersPage {
    pub fn perks(&self, tier: &Tier) -> String {
        tier.perks
            .iter()
            .map(Perk::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `GET /admin/tiers`.
pub async fn list(state: web::Data<AppState>, console: Console) -> Result<HttpResponse, PageError> {
    let tiers = state.run(|conn| tiers::list(conn, true)).await?;
    render(
        StatusCode::OK,
        &TiersPage {
            ctx: Ctx::new(&console, "tiers"),
            tiers,
        },
    )
}

fn fields() -> Vec<Field> {
    let perks = ["name", "logo", "link", "handle"]
        .iter()
        .map(|p| (p.to_string(), p.to_string()))
        .collect();
    vec![
        Field::new("slug", "Slug", "text")
            .required()
            .hint("Lowercase letters, digits and dashes, e.g. gold."),
        Field::new("name", "Name", "text").required(),
        Field::new("description", "Description", "textarea"),
        Field::new("monthly_minimum", "Monthly minimum", "text")
            .required()
            .hint("Like 25.00; 0 for every supporter."),
        Field::new("currency", "Currency", "text").hint("Empty for the instance currency."),
        Field::new("perks", "Display perks", "checkboxes").options(perks),
        Field::new("link_rel", "Link rel", "text").hint("Default: sponsored noopener"),
        Field::new("position", "Position", "number").hint("Lower comes first."),
    ]
}

fn page(console: &Console, title: &str, action: String, form: FormState) -> FormPage {
    FormPage {
        ctx: Ctx::new(console, "tiers"),
        title: title.to_owned(),
        intro:
            "Perks are display only: they change how a sponsor is shown on the wall, nothing else."
                .to_owned(),
        action,
        submit: "Save",
        fields: fields(),
        form,
        back: "/admin/tiers".to_owned(),
    }
}

fn position(f: &Fields) -> AppResult<i32> {
    f.get("position")
        .map(|p| {
            p.parse::<i32>()
                .map_err(|_| crate::error::AppError::invalid("position", "must be a whole number"))
        })
        .transpose()
        .map(Option::unwrap_or_default)
}

fn input(f: &Fields) -> AppResult<TierInput> {
    Ok(TierInput {
        slug: f.text("slug").trim().to_owned(),
        name: f.text("name"),
        description: f.text("description"),
        monthly_minimum: f.text("monthly_minimum").trim().to_owned(),
        currency: f.get("currency"),
        perks: f.all("perks"),
        link_rel: f.get("link_rel"),
        position: position(f)?,
    })
}

/// A full edit form as a patch: every field is sent, so every field is set.
fn patch(f: &Fields) -> AppResult<TierPatch> {
    let input = input(f)?;
    Ok(TierPatch {
        slug: Some(input.slug),
        name: Some(input.name),
        description: Some(input.description),
        monthly_minimum: Some(input.monthly_minimum),
        currency: input.currency,
        perks: Some(input.perks),
        link_rel: input.link_rel,
        position: Some(input.position),
    })
}

/// `GET /admin/tiers/new`.
pub async fn new_form(console: Console) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    render(
        StatusCode::OK,
        &page(
            &console,
            "New tier",
            "/admin/tiers/new".to_owned(),
            FormState::filled(vec![("position", "0".to_owned())]),
        ),
    )
}

/// `POST /admin/tiers/new`.
pub async fn create(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let currency = state.settings.currency;
    let change = input(&form.fields)
        .and_then(|i| TierDraft::try_from((i, currency)))
        .map(|draft| {
            move |conn: &mut crate::db::DbConn| {
                let tier = tiers::create(conn, draft)?;
                created(format!("tier:{}", tier.id), &TierView::from(&tier))
            }
        });
    let outcome = attempt(&state, &form.console, "tier.create", change).await?;
    after(
        outcome,
        |_| "/admin/tiers".to_owned(),
        |err| {
            let again = FormState::refused(form.fields.clone(), err, &fields());
            render(
                refused_status(err),
                &page(
                    &form.console,
                    "New tier",
                    "/admin/tiers/new".to_owned(),
                    again,
                ),
            )
        },
    )
}

/// `GET /admin/tiers/{id}/edit`.
pub async fn edit_form(
    state: web::Data<AppState>,
    console: Console,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    let id = path.into_inner();
    let tier = state.run(move |conn| tiers::find(conn, id)).await?;
    let mut values = vec![
        ("slug", tier.slug.clone()),
        ("name", tier.name.clone()),
        ("description", tier.description.clone()),
        ("monthly_minimum", tier.monthly_minimum.amount_string()),
        (
            "currency",
            tier.monthly_minimum.currency().code().to_owned(),
        ),
        ("link_rel", tier.link_rel.clone()),
        ("position", tier.position.to_string()),
    ];
    values.extend(tier.perks.iter().map(|p| ("perks", p.as_str().to_owned())));
    render(
        StatusCode::OK,
        &page(
            &console,
            &format!("Edit tier “{}”", tier.name),
            format!("/admin/tiers/{id}/edit"),
            FormState::filled(values),
        ),
    )
}

/// `POST /admin/tiers/{id}/edit`.
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let currency = state.settings.currency;
    let change = patch(&form.fields)
        .and_then(|p| TierUpdate::try_from((p, currency)))
        .map(|update| {
            move |conn: &mut crate::db::DbConn| {
                let tier = tiers::update(conn, id, update)?;
                changed(format!("tier:{id}"), &TierView::from(&tier))
            }
        });
    let outcome = attempt(&state, &form.console, "tier.update", change).await?;
    after(
        outcome,
        |_| "/admin/tiers".to_owned(),
        |err| {
            let again = FormState::refused(form.fields.clone(), err, &fields());
            render(
                refused_status(err),
                &page(
                    &form.console,
                    "Edit tier",
                    format!("/admin/tiers/{id}/edit"),
                    again,
                ),
            )
        },
    )
}

/// `POST /admin/tiers/{id}/archive`.
pub async fn archive(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        let tier = tiers::archive(conn, id)?;
        changed(format!("tier:{id}"), &TierView::from(&tier))
    });
    act(&state, &form.console, "tier.archive", change, |_| {
        "/admin/tiers".to_owned()
    })
    .await
}

/// `POST /admin/tiers/{id}/move` with `direction=up|down`: one place up or down the wall.
pub async fn reorder(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let direction = match form.fields.text("direction").as_str() {
        "up" => Ok(tiers::Move::Up),
        "down" => Ok(tiers::Move::Down),
        _ => Err(crate::error::AppError::invalid(
            "direction",
            "must be up or down",
        )),
    };
    let change = direction.map(|direction| {
        move |conn: &mut crate::db::DbConn| {
            let order = tiers::reorder(conn, id, direction)?;
            let slugs: Vec<&str> = order.iter().map(|t| t.slug.as_str()).collect();
            let body = serde_json::json!({ "order": slugs });
            Ok(changed(format!("tier:{id}"), &body)?.with_detail(body.to_string()))
        }
    });
    act(&state, &form.console, "tier.reorder", change, |_| {
        "/admin/tiers".to_owned()
    })
    .await
}
