//! The treasurer's JSON API under `/api/v1/admin/`, a module per resource. Each handler parses
//! its body into an input, converts it into a ledger draft, and runs one ledger service through
//! the write unit ([`super::write`]). Every answer is `Cache-Control: no-store`: they carry
//! donors' emails and legal names.

pub mod donors;
pub mod ledger;
pub mod pledges;
pub mod public_pages;
pub mod receipts;
pub mod tiers;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};

/// Rows in one page of a list.
pub const PAGE_SIZE: i64 = 50;

/// The highest page number a list accepts (the OpenAPI document states the same bound).
pub use crate::web::inputs::rules::MAX_PAGE;

/// `?page=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 0.
    #[param(schema_with = crate::web::inputs::rules::page)]
    pub page: Option<i64>,
}

pub(crate) fn page_number(page: Option<i64>) -> AppResult<i64> {
    match page.unwrap_or(0) {
        p if (0..=MAX_PAGE).contains(&p) => Ok(p),
        _ => Err(AppError::invalid(
            "page",
            format!("must be a page number from 0 to {MAX_PAGE}"),
        )),
    }
}
