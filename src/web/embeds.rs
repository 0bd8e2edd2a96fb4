//! The embeds: `/sponsors.svg` (the wall as one image), `/badge.svg` (shields.io style) and
//! `/feed.atom` (new named sponsors and a summary per month). The publisher renders them once
//! per change; `/sponsors.svg` with other parameters is rendered on first request and kept with
//! the published set it was drawn from, so each variant is built and compressed once per change.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::domain::Perk;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ledger::wall::{Sponsor, Wall, WallTier};
use crate::reports::embeds::LogoFile;
use crate::reports::transparency::Transparency;
use crate::verify::format::{Checkpoint, CHECKPOINTS_PATH};
use crate::web::error::{ApiError, ApiResult};
use crate::web::middleware::{serve, Representation, PUBLIC_CACHE};
use crate::web::pages::visitor_lang;
use crate::web::transparency::{checkpoint_date, month_name, xml_escape};

/// `/sponsors.svg`'s bounds.
pub const MIN_WIDTH: u32 = 240;
pub const MAX_WIDTH: u32 = 2000;
pub const DEFAULT_WIDTH: u32 = 800;
pub const MAX_LIMIT: usize = 500;
pub const DEFAULT_LIMIT: usize = 100;
/// How many variants of `/sponsors.svg` one published set keeps.
const MAX_VARIANTS: usize = 64;

const FONT: &str = "Verdana,DejaVu Sans,Geneva,sans-serif";

/// Which sponsors `/sponsors.svg` draws, and how wide.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SponsorsImage {
    pub tier: Option<String>,
    pub width: u32,
    pub limit: usize,
}

impl Default for SponsorsImage {
    fn default() -> Self {
        Self {
            tier: None,
            width: DEFAULT_WIDTH,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// `?tier=&width=&limit=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SponsorsQuery {
    tier: Option<String>,
    width: Option<u32>,
    limit: Option<usize>,
}

impl SponsorsImage {
    /// Checks the query against the bounds and the wall's tiers.
    pub fn parse(query: SponsorsQuery, wall: &Wall) -> Result<Self, AppError> {
        let width = query.width.unwrap_or(DEFAULT_WIDTH);
        if !(MIN_WIDTH..=MAX_WIDTH).contains(&width) {
            return Err(AppError::invalid(
                "width",
                format!("must be from {MIN_WIDTH} to {MAX_WIDTH} pixels"),
            ));
        }
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be from 1 to {MAX_LIMIT} sponsors a tier"),
            ));
        }
        if let Some(slug) = &query.tier {
            if !wall.tiers.iter().any(|t| &t.tier.slug == slug) {
                return Err(AppError::not_found("tier", slug));
            }
        }
        Ok(Self {
            tier: query.tier,
            width,
            limit,
        })
    }
}

/// Everything the embeds need, rendered or ready to render.
#[derive(Debug)]
pub struct Embeds {
    pub sponsors: Representation,
    /// `/badge.svg` per language, in `Lang::ALL` order.
    pub badges: Vec<(Lang, Representation)>,
    /// `/feed.atom` per language, in `Lang::ALL` order.
    pub feeds: Vec<(Lang, Representation)>,
    logos: Arc<HashMap<String, LogoFile>>,
    variants: Mutex<HashMap<SponsorsImage, Representation>>,
}

/// What the embeds are drawn from.
pub struct EmbedSource<'a> {
    pub instance_name: &'a str,
    pub public_url: &'a str,
    pub wall: &'a Wall,
    pub transparency: &'a Transparency,
    pub newest_named: &'a [(i64, NaiveDateTime)],
    /// The latest signed head of the ledger's log, announced as an entry of its own.
    pub checkpoint: Option<&'a Checkpoint>,
    pub logos: Arc<HashMap<String, LogoFile>>,
}

impl Embeds {
    /// Renders the embeds; unchanged bytes keep the previous set's compressed bodies.
    pub fn build(source: &EmbedSource<'_>, previous: Option<&Embeds>) -> Self {
        let badges = Lang::ALL
            .iter()
            .map(|&lang| {
                let svg = badge(lang, source.wall);
                (
                    lang,
                    Representation::unless_unchanged(
                        previous.and_then(|p| p.badge(lang)),
                        "image/svg+xml",
                        PUBLIC_CACHE,
                        svg.into_bytes(),
                    ),
                )
            })
            .collect();
        let feeds = Lang::ALL
            .iter()
            .map(|&lang| {
                let atom = feed(lang, source);
                (
                    lang,
                    Representation::unless_unchanged(
                        previous.and_then(|p| p.feed(lang)),
                        "application/atom+xml; charset=utf-8",
                        PUBLIC_CACHE,
                        atom.into_bytes(),
                    ),
                )
            })
            .collect();
        let sponsors = Representation::unless_unchanged(
            previous.map(|p| &p.sponsors),
            "image/svg+xml",
            PUBLIC_CACHE,
            sponsors_svg(
                source.instance_name,
                source.wall,
                &source.logos,
                &SponsorsImage::default(),
            )
            .into_bytes(),
        );
        Self {
            sponsors,
            badges,
            feeds,
            logos: source.logos.clone(),
            variants: Mutex::default(),
        }
    }

    fn badge(&self, lang: Lang) -> Option<&Representation> {
        self.badges
            .iter()
            .find(|(l, _)| *l == lang)
            .or(self.badges.first())
            .map(|(_, r)| r)
    }

    fn feed(&self, lang: Lang) -> Option<&Representation> {
        self.feeds
            .iter()
            .find(|(l, _)| *l == lang)
            .or(self.feeds.first())
            .map(|(_, r)| r)
    }

    /// `/sponsors.svg` as asked for: the default one, or a variant drawn once.
    fn sponsors_image(
        &self,
        instance_name: &str,
        wall: &Wall,
        image: &SponsorsImage,
    ) -> Representation {
        if *image == SponsorsImage::default() {
            return self.sponsors.clone();
        }
        if let Some(found) = self
            .variants
            .lock()
            .ok()
            .and_then(|v| v.get(image).cloned())
        {
            return found;
        }
        let drawn = Representation::new(
            "image/svg+xml",
            PUBLIC_CACHE,
            sponsors_svg(instance_name, wall, &self.logos, image).into_bytes(),
        );
        if let Ok(mut variants) = self.variants.lock() {
            if variants.len() < MAX_VARIANTS {
                variants.insert(image.clone(), drawn.clone());
            }
        }
        drawn
    }
}

/// An approximate width of `text` in Verdana at 11 px, in whole pixels: enough to size a badge
/// or trim a name (there is no font to measure with on the server).
fn text_width(text: &str, size: u32) -> u32 {
    let per_11: u32 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | 'I' => 4,
            'f' | 't' | 'r' => 5,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 10,
            c if c.is_uppercase() => 8,
            _ => 7,
        })
        .sum();
    per_11 * size / 11
}

/// `text` cut to fit `width` pixels at `size`, with an ellipsis when cut.
fn fit(text: &str, width: u32, size: u32) -> String {
    if text_width(text, size) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_width(&out, size) + text_width("…", size) > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// The badge, in the flat style of shields.io: "funded | 73% this month".
pub fn badge(lang: Lang, wall: &Wall) -> String {
    let label = lang.t("badge-label");
    let (value, color) = match wall.goal_percent() {
        Some(percent) => (
            lang.t_args("badge-value", &[("percent", percent.to_string())]),
            match percent {
                100.. => "#4c1",
                75..=99 => "#97ca00",
                50..=74 => "#dfb317",
                _ => "#fe7d37",
            },
        ),
        None => (lang.t("badge-no-goal"), "#9f9f9f"),
    };
    let label_width = text_width(&label, 11) + 12;
    let value_width = text_width(&value, 11) + 12;
    let width = label_width + value_width;
    let aria = xml_escape(&format!("{label}: {value}"));
    let (label, value) = (xml_escape(&label), xml_escape(&value));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" role=\"img\" aria-label=\"{aria}\">\
         <title>{aria}</title>\
         <linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>\
         <clipPath id=\"r\"><rect width=\"{width}\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>\
         <g clip-path=\"url(#r)\"><rect width=\"{label_width}\" height=\"20\" fill=\"#555\"/>\
         <rect x=\"{label_width}\" width=\"{value_width}\" height=\"20\" fill=\"{color}\"/>\
         <rect width=\"{width}\" height=\"20\" fill=\"url(#s)\"/></g>\
         <g fill=\"#fff\" text-anchor=\"middle\" font-family=\"{FONT}\" font-size=\"11\">\
         <text x=\"{}\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">{label}</text><text x=\"{}\" y=\"14\">{label}</text>\
         <text x=\"{}\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">{value}</text><text x=\"{}\" y=\"14\">{value}</text></g></svg>",
        label_width / 2,
        label_width / 2,
        label_width + value_width / 2,
        label_width + value_width / 2,
    )
}

/// How a tier's sponsors are drawn, like the wall: large logos for the first tier that shows
/// logos, smaller for the others, names in even columns where the tier shows none.
fn tier_cell(wall: &Wall, tier: &WallTier) -> (u32, u32, Option<u32>) {
    let first_with_logos = wall
        .tiers
        .iter()
        .position(|t| t.tier.perks.contains(Perk::Logo));
    let position = wall.tiers.iter().position(|t| t.tier.id == tier.tier.id);
    if !tier.tier.perks.contains(Perk::Logo) {
        (180, 28, None)
    } else if position == first_with_logos {
        (136, 136, Some(96))
    } else {
        (96, 96, Some(64))
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Where a sponsor's entry links: their site, else their fediverse profile.
fn sponsor_link(sponsor: &Sponsor) -> Option<String> {
    sponsor
        .link
        .clone()
        .or_else(|| sponsor.handle.as_ref().map(|h| h.profile_url()))
}

/// The wall as one SVG image. Logos are data URIs, so that the image loads nothing else.
pub fn sponsors_svg(
    instance_name: &str,
    wall: &Wall,
    logos: &HashMap<String, LogoFile>,
    image: &SponsorsImage,
) -> String {
    const PAD: u32 = 16;
    let width = image.width;
    let inner = width - 2 * PAD;
    let title = Lang::En.t_args(
        "embed-sponsors-title",
        &[("instance", instance_name.to_owned())],
    );
    let mut body = String::new();
    let mut y = PAD + 22;
    let _ = write!(
        body,
        "<text x=\"{PAD}\" y=\"{y}\" font-size=\"20\" font-weight=\"bold\" fill=\"#444\">{}</text>",
        xml_escape(&fit(&title, inner, 20))
    );
    y += 16;
    let tiers = wall.tiers.iter().filter(|t| {
        !t.sponsors.is_empty() && image.tier.as_ref().is_none_or(|slug| &t.tier.slug == slug)
    });
    for tier in tiers {
        y += 26;
        let _ = write!(
            body,
            "<text x=\"{PAD}\" y=\"{y}\" font-size=\"15\" font-weight=\"bold\" fill=\"#666\">{}</text>",
            xml_escape(&fit(&tier.tier.name, inner, 15))
        );
        y += 10;
        let (cell_w, cell_h, logo) = tier_cell(wall, tier);
        let columns = (inner / cell_w).max(1);
        // Even columns across the whole width.
        let column_w = inner / columns;
        let shown = &tier.sponsors[..tier.sponsors.len().min(image.limit)];
        for (i, sponsor) in shown.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let x = PAD + (i % columns) * column_w;
            let top = y + (i / columns) * cell_h;
            let name = sponsor.name.clone().unwrap_or_else(|| {
                Lang::En.t_args(
                    "sponsor-logo-anonymous",
                    &[("tier", tier.tier.name.clone())],
                )
            });
            let open = match sponsor_link(sponsor) {
                Some(href) => format!(
                    "<a href=\"{0}\" xlink:href=\"{0}\" target=\"_blank\" rel=\"{1}\">",
                    xml_escape(&href),
                    xml_escape(&tier.tier.link_rel)
                ),
                None => "<g>".to_owned(),
            };
            let close = if open.starts_with("<a") {
                "</a>"
            } else {
                "</g>"
            };
            let _ = write!(body, "{open}<title>{}</title>", xml_escape(&name));
            let file = sponsor.logo_path.as_deref().and_then(|p| logos.get(p));
            match (logo, file) {
                (Some(size), Some(file)) => {
                    let _ = write!(
                        body,
                        "<image x=\"{}\" y=\"{}\" width=\"{size}\" height=\"{size}\" \
                         preserveAspectRatio=\"xMidYMid meet\" href=\"data:{};base64,{}\"/>",
                        x + (column_w.min(cell_w) - size) / 2,
                        top + (cell_h - size) / 2,
                        xml_escape(&file.content_type),
                        base64(&file.bytes),
                    );
                }
                (Some(size), None) => {
                    // A logo tier's sponsor without a logo: their name in the logo's square.
                    let box_x = x + (column_w.min(cell_w) - size) / 2;
                    let _ = write!(
                        body,
                        "<rect x=\"{box_x}\" y=\"{}\" width=\"{size}\" height=\"{size}\" rx=\"8\" fill=\"none\" stroke=\"#ccc\"/>\
                         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
                        top + (cell_h - size) / 2,
                        box_x + size / 2,
                        top + cell_h / 2 + 4,
                        xml_escape(&fit(&name, size - 8, 12)),
                    );
                }
                (None, _) => {
                    let _ = write!(
                        body,
                        "<text x=\"{x}\" y=\"{}\" font-size=\"14\" fill=\"#444\">{}</text>",
                        top + 19,
                        xml_escape(&fit(&name, column_w.saturating_sub(8), 14)),
                    );
                }
            }
            body.push_str(close);
        }
        let count = u32::try_from(shown.len()).unwrap_or(u32::MAX);
        y += count.div_ceil(columns) * cell_h;
    }
    let height = y + PAD;
    let aria = xml_escape(&title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"{aria}\" font-family=\"{FONT}\"><title>{aria}</title>{body}</svg>"
    )
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The feed's entry for the latest checkpoint: its id names the tree size, so each new head is
/// a new entry.
fn checkpoint_entry(
    lang: Lang,
    source: &EmbedSource<'_>,
    checkpoint: &Checkpoint,
) -> Option<(NaiveDateTime, String)> {
    let signed_at = checkpoint.signed_at_time()?;
    let base = source.public_url.trim_end_matches('/');
    let args = [
        ("instance", source.instance_name.to_owned()),
        ("size", checkpoint.tree_size.to_string()),
        ("root", checkpoint.root_hash.clone()),
        ("date", checkpoint_date(lang, checkpoint)),
    ];
    let entry = format!(
        "<entry><id>{base}{CHECKPOINTS_PATH}#{size}</id><title>{title}</title>\
         <updated>{updated}</updated>\
         <link rel=\"alternate\" type=\"application/json\" href=\"{base}{CHECKPOINTS_PATH}\"/>\
         <summary>{text}</summary></entry>",
        size = checkpoint.tree_size,
        title = xml_escape(&lang.t_args("feed-checkpoint-title", &args)),
        updated = rfc3339(signed_at),
        text = xml_escape(&lang.t_args("feed-checkpoint-text", &args)),
    );
    Some((signed_at, entry))
}

/// The Atom feed (RFC 4287): each new named sponsor, and a summary of each complete month.
pub fn feed(lang: Lang, source: &EmbedSource<'_>) -> String {
    let base = source.public_url.trim_end_matches('/');
    let instance = source.instance_name;
    let mut entries: Vec<(NaiveDateTime, String)> = Vec::new();
    let named: HashMap<i64, (&WallTier, &Sponsor)> = source
        .wall
        .tiers
        .iter()
        .flat_map(|t| t.sponsors.iter().map(move |s| (s.donor_id, (t, s))))
        .filter(|(_, (_, s))| s.name.is_some())
        .collect();
    for (donor_id, joined) in source.newest_named {
        let Some((tier, sponsor)) = named.get(donor_id) else {
            continue;
        };
        let Some(name) = &sponsor.name else { continue };
        let args = [
            ("name", name.clone()),
            ("tier", tier.tier.name.clone()),
            ("instance", instance.to_owned()),
        ];
        let mut entry = String::new();
        let _ = write!(
            entry,
            "<entry><id>{base}/#sponsor-{donor_id}</id><title>{}</title><updated>{}</updated>\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}/#tier-{}\"/>\
             <summary>{}</summary></entry>",
            xml_escape(&lang.t_args("feed-new-sponsor", &args)),
            rfc3339(*joined),
            xml_escape(&tier.tier.slug),
            xml_escape(&lang.t_args("feed-new-sponsor-text", &args)),
        );
        entries.push((*joined, entry));
    }
    if let Some(books) = source.transparency.main() {
        let complete = &books.months[..books.months.len().saturating_sub(1)];
        for month in complete.iter().rev().take(12) {
            if month.donations == 0 && month.cost() == 0 && month.refunds == 0 {
                continue;
            }
            let Ok(updated) = month.month.plus(1).start() else {
                continue;
            };
            let title = lang.t_args(
                "feed-month-title",
                &[
                    ("month", month_name(lang, month.month)),
                    ("instance", instance.to_owned()),
                ],
            );
            let text = lang.t_args(
                "feed-month-text",
                &[
                    ("income", lang.total(books.total(month.income))),
                    ("costs", lang.total(books.total(month.cost()))),
                    ("balance", lang.total(books.total(month.balance))),
                ],
            );
            let entry = format!(
                "<entry><id>{base}/transparency#month-{0}</id><title>{1}</title><updated>{2}</updated>\
                 <link rel=\"alternate\" type=\"text/html\" href=\"{base}/transparency\"/>\
                 <summary>{3}</summary></entry>",
                month.month,
                xml_escape(&title),
                rfc3339(updated),
                xml_escape(&text),
            );
            entries.push((updated, entry));
        }
    }
    if let Some(entry) = source
        .checkpoint
        .and_then(|c| checkpoint_entry(lang, source, c))
    {
        entries.push(entry);
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    // The feed changes only when an entry does: its date is the newest entry's.
    let updated = entries
        .first()
        .map(|(at, _)| *at)
        .unwrap_or(chrono::DateTime::UNIX_EPOCH.naive_utc());
    let title = xml_escape(&lang.t_args("feed-title", &[("instance", instance.to_owned())]));
    let mut atom = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\
         <id>{base}/feed.atom</id><title>{title}</title><updated>{}</updated>\
         <author><name>{}</name></author>\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/feed.atom\"/>\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}/\"/>\
         <generator>Coffer</generator>",
        lang.tag(),
        rfc3339(updated),
        xml_escape(instance),
    );
    for (_, entry) in entries {
        atom.push_str(&entry);
    }
    atom.push_str("</feed>\n");
    atom
}

/// `?lang=` for the badge and the feed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedLangQuery {
    lang: Option<String>,
}

fn with_vary(mut response: HttpResponse, by_language: bool) -> HttpResponse {
    let vary = if by_language {
        "Accept-Encoding, Accept-Language"
    } else {
        "Accept-Encoding"
    };
    response
        .headers_mut()
        .insert(header::VARY, header::HeaderValue::from_static(vary));
    response
}

/// `GET /sponsors.svg?tier=&width=&limit=`.
pub async fn sponsors(
    state: web::Data<crate::web::AppState>,
    req: HttpRequest,
    query: web::Query<SponsorsQuery>,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    let image = SponsorsImage::parse(query.into_inner(), &published.wall)?;
    let representation =
        published
            .embeds
            .sponsors_image(&published.instance_name, &published.wall, &image);
    Ok(with_vary(serve(&req, &representation), false))
}

/// `GET /badge.svg`.
pub async fn badge_svg(
    state: web::Data<crate::web::AppState>,
    req: HttpRequest,
    query: web::Query<EmbedLangQuery>,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    let lang = visitor_lang(&req, query.lang.as_deref());
    let representation = published
        .embeds
        .badge(lang)
        .ok_or_else(|| ApiError::Internal("no badge".to_owned()))?;
    Ok(with_vary(serve(&req, representation), true))
}

/// `GET /feed.atom`.
pub async fn feed_atom(
    state: web::Data<crate::web::AppState>,
    req: HttpRequest,
    query: web::Query<EmbedLangQuery>,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    let lang = visitor_lang(&req, query.lang.as_deref());
    let representation = published
        .embeds
        .feed(lang)
        .ok_or_else(|| ApiError::Internal("no feed".to_owned()))?;
    Ok(with_vary(serve(&req, representation), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn long_names_are_cut_to_their_column() {
        let cut = fit(&"Wide Name ".repeat(10), 160, 14);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 14) <= 160);
        assert_eq!(fit("Ada", 160, 14), "Ada");
    }
}
