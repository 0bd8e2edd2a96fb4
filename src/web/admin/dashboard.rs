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
pub async fn show(state: web::Data<AppState>, console: Console) -> Result<HttpResponse, PageError> {
    let published = state.publications.latest().await?;
    let currency = state.settings.currency;
    let (flows, active_pledges, donors, latest) = state
        .run(move |conn| {
            let now = crate::db::now();
            let flows = crate::ledger::entries::monthly_flows(conn, currency, CHART_MONTHS, now)?;
            let active =
                crate::ledger::pledges::list(conn, None, Some(PledgeStatus::Active))?.len();
            let donors = crate::ledger::donors::count(conn)?;
            let latest = crate::ledger::entries::list(conn, None, None, PageAt::Number(0), LATEST)?;
            Ok((flows, active, donors, latest.entries))
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
        },
    )
}
