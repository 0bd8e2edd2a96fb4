//! `/admin/settings`: the instance's name, its monthly goal and the bank transfer instructions,
//! stored in the database (the environment gives the defaults) and audited with before and after.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::forms::{Field, FormState, WriteForm};
use super::session::Console;
use super::{attempt, refused_status, render, see_other, Ctx, Outcome};
use crate::ledger::settings::{self, InstanceSettings, MonthlyGoal, SettingsDraft};
use crate::ledger::write::Recorded;
use crate::web::error::PageError;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub ctx: Ctx,
    pub independence: &'static str,
    pub current: InstanceSettings,
    pub fixed_goal: Option<String>,
    pub fields: Vec<Field>,
    pub form: FormState,
}

fn fields() -> Vec<Field> {
    vec![
        Field::new("instance_name", "Instance name", "text")
            .required()
            .hint("Shown on the wall and in receipts."),
        Field::new("monthly_goal", "Monthly goal", "text")
            .hint("An amount in the instance currency, e.g. 250.00; leave empty to follow the running costs."),
        Field::new("bank_instructions", "Bank transfer instructions", "textarea")
            .hint("Shown to donors who pay by bank transfer, e.g. account holder, IBAN, BIC and a reference to quote; leave empty not to offer it."),
    ]
}

fn values(current: &InstanceSettings) -> FormState {
    FormState::filled(vec![
        ("instance_name", current.instance_name.clone()),
        ("monthly_goal", current.monthly_goal.as_form_value()),
        (
            "bank_instructions",
            current.bank_instructions.clone().unwrap_or_default(),
        ),
    ])
}

async fn page(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    form: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let env = state.settings.clone();
    let current = state.run(move |conn| settings::load(conn, &env)).await?;
    let fixed_goal = match current.monthly_goal {
        MonthlyGoal::Fixed(goal) => Some(goal.to_string()),
        MonthlyGoal::RunningCosts => None,
    };
    render(
        status,
        &SettingsPage {
            ctx: Ctx::new(console, "settings"),
            independence: crate::domain::INDEPENDENCE_STATEMENT,
            form: form.unwrap_or_else(|| values(&current)),
            current,
            fixed_goal,
            fields: fields(),
        },
    )
}

/// `GET /admin/settings`: what is in force; treasurers also get the form.
pub async fn show(state: web::Data<AppState>, console: Console) -> Result<HttpResponse, PageError> {
    page(&state, &console, StatusCode::OK, None).await
}

/// `POST /admin/settings`: saves all three settings at once.
pub async fn update(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let f = &form.fields;
    let env = state.settings.clone();
    let change = SettingsDraft::parse(
        &f.text("instance_name"),
        &f.text("monthly_goal"),
        &f.text("bank_instructions"),
        env.currency,
    )
    .map(|draft| {
        move |conn: &mut crate::db::DbConn| {
            let (before, after) = settings::save(conn, &env, &draft)?;
            let body = serde_json::json!({
                "instance_name": after.instance_name,
                "monthly_goal": after.monthly_goal.as_form_value(),
                "bank_instructions": after.bank_instructions,
            });
            let detail = serde_json::json!({
                "before": {
                    "instance_name": before.instance_name,
                    "monthly_goal": before.monthly_goal.as_form_value(),
                    "bank_instructions": before.bank_instructions,
                },
                "after": body,
            });
            Ok(Recorded {
                status: 200,
                body,
                subject: "settings".to_owned(),
                detail: Some(detail.to_string()),
            })
        }
    });
    match attempt(&state, &form.console, "settings.update", change).await? {
        Outcome::Done(_) => Ok(see_other("/admin/settings")),
        Outcome::Refused(err) => {
            let again = FormState::refused(form.fields.clone(), &err, &fields());
            page(&state, &form.console, refused_status(&err), Some(again)).await
        }
    }
}
