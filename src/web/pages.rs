//! Public HTML pages, rendered with askama.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::domain::INDEPENDENCE_STATEMENT;
use crate::ledger::wall::{Sponsor, Wall, WallTier};
use crate::web::error::PageError;
use crate::web::AppState;

/// The sponsor wall at `/`.
#[derive(Template)]
#[template(path = "public/wall.html")]
pub struct WallPage<'a> {
    pub instance_name: &'a str,
    pub wall: &'a Wall,
    pub statement: &'static str,
}

impl WallPage<'_> {
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

/// `GET /`.
pub async fn wall(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let wall = state.wall().await?;
    let page = WallPage {
        instance_name: &state.settings.instance_name,
        wall: &wall,
        statement: INDEPENDENCE_STATEMENT,
    };
    let html = page
        .render()
        .map_err(|e| crate::web::error::ApiError::Internal(format!("rendering the wall: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .body(html))
}
