//! Public HTML pages, rendered with askama.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::{Money, Total};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ledger::wall::{Sponsor, Wall, WallTier};
use crate::web::error::{ApiError, PageError};
use crate::web::middleware::{serve, PUBLIC_CACHE};
use crate::web::AppState;

/// The sponsor wall at `/`.
#[derive(Template)]
#[template(path = "public/wall.html")]
pub struct WallPage<'a> {
    pub instance_name: &'a str,
    pub wall: &'a Wall,
    pub lang: Lang,
}

/// What every public page says in its visitor's language (messages in `locales/`).
pub trait Localized {
    fn lang(&self) -> Lang;

    /// The message `key`.
    fn t(&self, key: &str) -> String {
        self.lang().t(key)
    }

    /// The message `key` with one argument.
    fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        self.lang().t_args(key, &[(name, value.to_string())])
    }

    /// The message `key` with a count, in its plural form.
    fn count(&self, key: &str, count: &usize) -> String {
        self.lang()
            .t_count(key, "count", i64::try_from(*count).unwrap_or(i64::MAX))
    }

    /// An amount as the language writes it.
    fn money(&self, money: &Money) -> String {
        self.lang().money(*money)
    }

    /// A derived figure as the language writes amounts.
    fn total(&self, total: &Total) -> String {
        self.lang().total(*total)
    }
}

impl Localized for WallPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
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
            Some(name) => self.t1("sponsor-logo", "name", name),
            None => self.t1("sponsor-logo-anonymous", "tier", &tier.tier.name),
        }
    }

    /// Recurring support against the goal, in a sentence.
    pub fn goal_line(&self, goal: &Total) -> String {
        self.lang.t_args(
            "wall-goal-line",
            &[
                ("recurring", self.lang.total(self.wall.monthly_recurring)),
                ("goal", self.lang.total(*goal)),
            ],
        )
    }

    /// The link to every sponsor of a compact tier.
    pub fn tier_all(&self, tier: &WallTier) -> String {
        self.lang.t_args(
            "tier-all",
            &[
                ("count", tier.sponsors.len().to_string()),
                ("tier", tier.tier.name.clone()),
            ],
        )
    }

    /// What a tier's sponsors get on the wall, in a sentence.
    pub fn tier_gives(&self, tier: &WallTier) -> String {
        let perks: Vec<String> = tier
            .tier
            .perks
            .iter()
            .map(|p| self.lang.t(&format!("donate-perk-{}", p.as_str())))
            .collect();
        if perks.is_empty() {
            return self.t1("tier-gives-none", "tier", &tier.tier.name);
        }
        self.lang.t_args(
            "tier-gives",
            &[
                ("tier", tier.tier.name.clone()),
                ("perks", perks.join(", ")),
            ],
        )
    }

    /// What a tier offers, said once: the treasurer's description when there is one, else
    /// the perks in a sentence.
    pub fn tier_offer(&self, tier: &WallTier) -> String {
        if tier.tier.description.trim().is_empty() {
            self.tier_gives(tier)
        } else {
            tier.tier.description.clone()
        }
    }

    /// True when the tier's sponsors are shown with logos (and the others in their place).
    pub fn shows_logos(&self, tier: &WallTier) -> bool {
        tier.tier.perks.contains(crate::domain::Perk::Logo)
    }

    /// The letters in a logo's place for a sponsor without one.
    pub fn initials(&self, sponsor: &Sponsor) -> String {
        sponsor
            .name
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_alphanumeric())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    }

    /// The invitation under each tier.
    pub fn tier_become(&self, tier: &WallTier) -> String {
        self.t1("tier-become", "tier", &tier.tier.name)
    }

    /// The wall's main invitation.
    pub fn donate_call(&self) -> String {
        self.t1("wall-donate", "instance", self.instance_name)
    }

    /// The sponsor list's look: large logos for the top tier, smaller below, names only where
    /// the tier shows no logos (like the sponsor sections of joinmastodon.org).
    pub fn tier_style(&self, tier: &WallTier) -> &'static str {
        let first_with_logos = self
            .wall
            .tiers
            .iter()
            .position(|t| t.tier.perks.contains(crate::domain::Perk::Logo));
        let position = self
            .wall
            .tiers
            .iter()
            .position(|t| t.tier.id == tier.tier.id);
        if !tier.tier.perks.contains(crate::domain::Perk::Logo) {
            "sponsors-names"
        } else if position == first_with_logos {
            "sponsors-large"
        } else {
            "sponsors-medium"
        }
    }

    /// The language switch: `(tag, own name, is this page's language)`.
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Lang::ALL
            .iter()
            .map(|l| (l.tag(), l.own_name(), *l == self.lang))
            .collect()
    }
}

/// `GET /`: served from the published set, rendered once per change and language.
pub async fn wall(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, PageError> {
    let published = state.publications.latest().await?;
    let lang = visitor_lang(&req, query.lang.as_deref());
    let mut response = serve(&req, published.home(lang));
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        header::HeaderValue::from_static(lang.tag()),
    );
    // The answer depends on the language asked for as well as on the coding.
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Encoding, Accept-Language"),
    );
    Ok(response)
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
    pub lang: Lang,
}

impl Localized for TierPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl TierPage<'_> {
    fn title(&self) -> String {
        self.lang.t_args(
            "tier-page-title",
            &[
                ("tier", self.tier.tier.name.clone()),
                ("instance", self.instance_name.to_owned()),
            ],
        )
    }

    fn lede(&self) -> String {
        self.lang.t_args(
            "tier-page-lede",
            &[
                ("count", self.tier.sponsors.len().to_string()),
                ("page", self.page.to_string()),
                ("pages", self.pages.to_string()),
            ],
        )
    }
}

/// The visitor's language: `?lang=` (the switch on the page) first, then `Accept-Language`.
pub fn visitor_lang(req: &HttpRequest, chosen: Option<&str>) -> Lang {
    match chosen {
        Some(tag) => Lang::from_locale(Some(tag)),
        None => Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    /// The language asked for with `?lang=`.
    pub fn lang(&self) -> Option<&str> {
        self.lang.as_deref()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    page: Option<usize>,
    lang: Option<String>,
}

/// `GET /sponsors/{slug}?page=N`: every sponsor of a tier, a page at a time.
pub async fn tier_sponsors(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor_lang(&req, query.lang.as_deref());
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
        instance_name: &published.instance_name,
        tier,
        sponsors: &tier.sponsors[start..end],
        page,
        pages,
        lang,
    }
    .render()
    .map_err(|e| ApiError::Internal(format!("rendering a tier page: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, PUBLIC_CACHE))
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .insert_header((header::VARY, "Accept-Encoding, Accept-Language"))
        .body(html))
}
