//! `/admin/export/ledger.csv` and `/admin/export/donors.csv`, `?year=` for one calendar year.
//! Both roles may export: it is reading.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::forms::Fields;
use super::session::Console;
use crate::error::AppError;
use crate::reports::export;
use crate::web::error::PageError;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    year: String,
}

fn year(query: &ExportQuery) -> Result<Option<i32>, PageError> {
    let year = Fields(vec![("year".to_owned(), query.year.clone())]).get("year");
    Ok(year
        .map(|y| {
            y.parse::<i32>()
                .map_err(|_| AppError::invalid("year", "must be a year like 2026"))
        })
        .transpose()?)
}

fn attachment(name: &str, year: Option<i32>, body: Vec<u8>) -> HttpResponse {
    let file = match year {
        Some(year) => format!("coffer-{name}-{year}.csv"),
        None => format!("coffer-{name}.csv"),
    };
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(body)
}

/// `GET /admin/export/ledger.csv?year=`.
pub async fn ledger(
    state: web::Data<AppState>,
    _console: Console,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, PageError> {
    let year = year(&query)?;
    let csv = state
        .run(move |conn| export::ledger_csv(conn, year))
        .await?;
    Ok(attachment("ledger", year, csv))
}

/// `GET /admin/export/donors.csv?year=`.
pub async fn donors(
    state: web::Data<AppState>,
    _console: Console,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, PageError> {
    let year = year(&query)?;
    let currency = state.settings.currency;
    let csv = state
        .run(move |conn| export::donors_csv(conn, currency, year))
        .await?;
    Ok(attachment("donors", year, csv))
}
