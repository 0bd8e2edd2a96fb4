//! `GET /admin`: the month at a glance, and a year of money in and out as an inline SVG chart
//! with the same numbers in a table.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::session::Console;
use super::{render, Ctx};
use crate::domain::{PledgeStatus, INDEPENDENCE_STATEMENT};
use crate::ledger::entries::{Entry, MonthFlow, PageAt};
use crate::ledger::wall::Wall;
use crate::web::error::PageError;
use crate::web::AppState;

/// Months the chart shows.
const CHART_MONTHS: u32 = 12;
/// Entries listed under "latest".
const LATEST: i64 = 10;

/// One bar of the chart, in SVG user units.
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub class: &'static str,
    pub title: String,
}

/// A month's label under the chart.
#[derive(Debug, Clone)]
pub struct Label {
    pub x: i64,
    pub text: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub ctx: Ctx,
    pub wall: std::sync::Arc<Wall>,
    pub this_month: MonthFlow,
    pub flows: Vec<MonthFlow>,
    pub bars: Vec<Bar>,
    pub labels: Vec<Label>,
    pub active_pledges: usize,
    pub donors: i64,
    pub latest: Vec<Entry>,
    pub statement: &'static str,
    pub outbox: crate::mail::OutboxStatus,
    /// Last year by default: statements go out once a year is over.
    pub statement_year: i32,
    /// What the last "send annual statements" did, after its redirect.
    pub statements_note: Option<String>,
}

/// `?statements=N&already=M&year=Y`, set by the redirect after queueing statements.
#[derive(Debug, serde::Deserialize)]
pub struct DashboardQuery {
    statements: Option<usize>,
    already: Option<usize>,
    year: Option<i32>,
}

pub const CHART_WIDTH: i64 = 600;
pub const CHART_HEIGHT: i64 = 200;
const CHART_TOP: i64 = 10;

/// Two bars a month (in, out), scaled to the largest figure of the year.
fn chart(flows: &[MonthFlow]) -> (Vec<Bar>, Vec<Label>) {
    let largest = flows
        .iter()
        .flat_map(|f| [f.money_in.minor(), f.money_out.minor()])
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = CHART_WIDTH / flows.len().max(1) as i64;
    let bar_width = (slot / 2 - 4).max(1);
    let usable = CHART_HEIGHT - CHART_TOP;
    let height =
        |minor: i64| ((i128::from(minor) * i128::from(usable)) / i128::from(largest)) as i64;
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (i, flow) in flows.iter().enumerate() {
        let x = i as i64 * slot + 2;
        for (offset, amount, class, what) in [
            (0, flow.money_in, "in", "in"),
            (bar_width + 2, flow.money_out, "out", "out"),
        ] {
            let h = height(amount.minor());
            bars.push(Bar {
                x: x + offset,
                y: CHART_HEIGHT - h,
                width: bar_width,
                height: h,
                class,
                title: format!("{}: {amount} {what}", flow.month),
            });
        }
        labels.push(Label {
            x: x + bar_width,
            text: flow.month[5..].to_owned(),
        });
    }
    (bars, labels)
}

/// `GET /admin`.
pub async fn show(
    state: web::Data<AppState>,
    console: Console,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let published = state.publications.latest().await?;
    let currency = state.settings.currency;
    let settings = state.settings.clone();
    let (flows, active_pledges, donors, latest, outbox) = state
        .run(move |conn| {
            let now = crate::db::now();
            let flows = crate::ledger::entries::monthly_flows(conn, currency, CHART_MONTHS, now)?;
            let active =
                crate::ledger::pledges::list(conn, None, Some(PledgeStatus::Active))?.len();
            let donors = crate::ledger::donors::count(conn)?;
            let latest = crate::ledger::entries::list(conn, None, None, PageAt::Number(0), LATEST)?;
            let outbox = crate::mail::status(conn, &settings)?;
            Ok((flows, active, donors, latest.entries, outbox))
        })
        .await?;
    let (bars, labels) = chart(&flows);
    let this_month = flows.last().cloned().ok_or_else(|| {
        crate::web::error::ApiError::Internal("no months in the chart".to_owned())
    })?;
    render(
        StatusCode::OK,
        &DashboardPage {
            ctx: Ctx::new(&console, "dashboard"),
            wall: published.wall.clone(),
            this_month,
            flows,
            bars,
            labels,
            active_pledges,
            donors,
            latest,
            statement: INDEPENDENCE_STATEMENT,
            outbox,
            statement_year: chrono::Datelike::year(&crate::db::now()) - 1,
            statements_note: query.statements.map(|queued| {
                format!(
                    "Annual statements for {}: {queued} queued, {} donors already had theirs.",
                    query.year.unwrap_or_default(),
                    query.already.unwrap_or(0)
                )
            }),
        },
    )
}

/// `POST /admin/receipts/annual`: queue each donor's statement of a year, once.
pub async fn queue_statements(
    state: web::Data<AppState>,
    form: super::forms::WriteForm,
) -> Result<HttpResponse, PageError> {
    let year_text = form.fields.text("year");
    let year: i32 = match year_text.trim().parse() {
        Ok(year) if (2000..=9999).contains(&year) => year,
        _ => {
            return Err(crate::error::AppError::invalid("year", "must be a year like 2026").into())
        }
    };
    let instance = crate::mail::render::Instance {
        name: state.settings.instance_name.clone(),
    };
    let change: crate::error::AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        let run = crate::mail::statements::queue_annual(conn, &instance, year)?;
        Ok(crate::ledger::write::Recorded {
            status: 200,
            body: serde_json::json!({ "queued": run.queued, "already_sent": run.already_sent }),
            subject: format!("statements:{year}"),
            detail: Some(format!(
                "{} queued, {} already sent, {} without email",
                run.queued, run.already_sent, run.without_email
            )),
        })
    });
    match super::attempt(&state, &form.console, "receipts.annual", change).await? {
        super::Outcome::Done(body) => Ok(super::see_other(&format!(
            "/admin?statements={}&already={}&year={year}",
            body["queued"].as_u64().unwrap_or(0),
            body["already_sent"].as_u64().unwrap_or(0)
        ))),
        super::Outcome::Refused(err) => Err(err.into()),
    }
}
