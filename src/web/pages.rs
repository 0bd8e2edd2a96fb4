//! Public HTML pages, rendered with askama.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::INDEPENDENCE_STATEMENT;
use crate::error::AppError;
use crate::ledger::wall::{Sponsor, Wall, WallTier};
use crate::web::error::{ApiError, PageError};
use crate::web::middleware::serve;
use crate::web::published::PUBLIC_CACHE;
use crate::web::AppState;

/// The sponsor wall at `/`.
#[derive(Template)]
#[template(path = "public/wall.html")]
pub struct WallPage<'a> {
    pub instance_name: &'a str,
    pub wall: &'a Wall,
    pub statement: &'static str,
}

/// A tier with more sponsors than this shows them as compact names, with pages of its own.
pub const FULL_TIER_LIMIT: usize = 100;
/// How many compact names such a tier shows on the wall itself.
pub const COMPACT_ON_WALL: usize = 300;
/// Sponsors on each page of `/sponsors/{slug}`.
pub const TIER_PAGE_SIZE: usize = 500;

impl WallPage<'_> {
    /// True when the tier is too large to show in full on the wall.
    pub fn is_compact(&self, tier: &WallTier) -> bool {
        tier.sponsors.len() > FULL_TIER_LIMIT
    }

    /// The names a compact tier shows on the wall.
    pub fn compact_head<'t>(&self, tier: &'t WallTier) -> &'t [Sponsor] {
        &tier.sponsors[..tier.sponsors.len().min(COMPACT_ON_WALL)]
    }

    /// True when there is nothing to show yet: no tiers and no supporters.
    pub fn is_empty(&self) -> bool {
        self.wall.tiers.is_empty() && self.wall.anonymous_supporters == 0
    }

    /// Alt text for a sponsor's logo: their name if shown, otherwise their tier.
    pub fn logo_alt(&self, tier: &WallTier, sponsor: &Sponsor) -> String {
        match &sponsor.name {
            Some(name) => format!("Logo of {name}"),
            None => format!("Logo of a {} sponsor", tier.tier.name),
        }
    }
}

/// A small page for errors on HTML routes.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub reason: &'static str,
    pub message: String,
}

/// `GET /`: served from the published set, rendered once per change.
pub async fn wall(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.home))
}

/// One page of a tier's sponsors.
#[derive(Template)]
#[template(path = "public/tier.html")]
pub struct TierPage<'a> {
    pub instance_name: &'a str,
    pub tier: &'a WallTier,
    pub sponsors: &'a [Sponsor],
    pub page: usize,
    pub pages: usize,
    pub statement: &'static str,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    page: Option<usize>,
}

/// `GET /sponsors/{slug}?page=N`: every sponsor of a tier, a page at a time.
pub async fn tier_sponsors(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let published = state.publications.latest().await?;
    let slug = path.into_inner();
    let tier = published
        .wall
        .tiers
        .iter()
        .find(|t| t.tier.slug == slug)
        .ok_or_else(|| AppError::not_found("tier", &slug))?;
    let pages = tier.sponsors.len().div_ceil(TIER_PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1);
    if !(1..=pages).contains(&page) {
        return Err(AppError::not_found("page", page).into());
    }
    let start = (page - 1) * TIER_PAGE_SIZE;
    let end = (start + TIER_PAGE_SIZE).min(tier.sponsors.len());
    let html = TierPage {
        instance_name: &state.settings.instance_name,
        tier,
        sponsors: &tier.sponsors[start..end],
        page,
        pages,
        statement: INDEPENDENCE_STATEMENT,
    }
    .render()
    .map_err(|e| ApiError::Internal(format!("rendering a tier page: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, PUBLIC_CACHE))
        .body(html))
}
