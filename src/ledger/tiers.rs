//! Sponsor tiers: a minimum monthly support and a closed set of display perks.

use crate::db::{self, tiers::TierRow, DbConn};
use crate::domain::{Money, PerkSet};
use crate::error::{AppError, AppResult};

/// Values a `rel` attribute of a sponsor's link may hold; `sponsored` is always required.
const ALLOWED_REL: &[&str] = &["sponsored", "noopener", "noreferrer", "nofollow", "ugc"];

/// A tier as the rest of the app sees it.
#[derive(Debug, Clone)]
pub struct Tier {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: Money,
    pub perks: PerkSet,
    pub link_rel: String,
    pub position: i32,
    pub archived: bool,
}

impl TryFrom<TierRow> for Tier {
    type Error = AppError;
    fn try_from(row: TierRow) -> AppResult<Self> {
        Ok(Self {
            monthly_minimum: super::stored_money(row.monthly_minimum, &row.currency)?,
            perks: PerkSet::from_csv(&row.perks)
                .map_err(|e| AppError::Internal(format!("stored perks: {e}")))?,
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            link_rel: row.link_rel,
            position: row.position,
            archived: row.archived_at.is_some(),
        })
    }
}

/// A new tier's validated fields.
#[derive(Debug, Clone)]
pub struct TierDraft {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: Money,
    pub perks: PerkSet,
    pub link_rel: String,
    pub position: i32,
}

/// Changes to a tier; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct TierUpdate {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub monthly_minimum: Option<Money>,
    pub perks: Option<PerkSet>,
    pub link_rel: Option<String>,
    pub position: Option<i32>,
}

/// Checks a slug: lowercase letters, digits and dashes, as used in URLs.
pub fn parse_slug(slug: &str) -> AppResult<String> {
    let slug = slug.trim();
    let valid = !slug.is_empty()
        && slug.len() <= 40
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if valid {
        Ok(slug.to_owned())
    } else {
        Err(AppError::invalid(
            "slug",
            "use 1 to 40 lowercase letters, digits and inner dashes, like “gold”",
        ))
    }
}

/// Checks a link `rel`: known tokens only, and always `sponsored` (paid links must say so).
pub fn parse_link_rel(rel: &str) -> AppResult<String> {
    let tokens: Vec<&str> = rel.split_whitespace().collect();
    if let Some(bad) = tokens.iter().find(|t| !ALLOWED_REL.contains(t)) {
        return Err(AppError::invalid(
            "link_rel",
            format!("“{bad}” is not allowed; use {}", ALLOWED_REL.join(", ")),
        ));
    }
    if !tokens.contains(&"sponsored") {
        return Err(AppError::invalid(
            "link_rel",
            "must include “sponsored”: sponsors' links are paid links",
        ));
    }
    let mut unique: Vec<&str> = Vec::new();
    for token in tokens {
        if !unique.contains(&token) {
            unique.push(token);
        }
    }
    Ok(unique.join(" "))
}

pub fn create(conn: &mut DbConn, draft: TierDraft) -> AppResult<Tier> {
    if db::tiers::slug_taken(conn, &draft.slug, None)? {
        return Err(AppError::Conflict(format!(
            "a tier with the slug “{}” already exists",
            draft.slug
        )));
    }
    let id = db::tiers::insert(
        conn,
        &db::tiers::NewTier {
            slug: draft.slug,
            name: draft.name,
            description: draft.description,
            monthly_minimum: draft.monthly_minimum.minor(),
            currency: draft.monthly_minimum.currency().code().to_owned(),
            perks: draft.perks.to_csv(),
            link_rel: draft.link_rel,
            position: draft.position,
            created_at: db::now(),
        },
    )?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Tier> {
    db::tiers::find(conn, id)?
        .ok_or_else(|| AppError::not_found("tier", id))?
        .try_into()
}

pub fn list(conn: &mut DbConn, include_archived: bool) -> AppResult<Vec<Tier>> {
    db::tiers::list(conn, include_archived)?
        .into_iter()
        .map(Tier::try_from)
        .collect()
}

pub fn update(conn: &mut DbConn, id: i64, update: TierUpdate) -> AppResult<Tier> {
    find(conn, id)?;
    if let Some(slug) = &update.slug {
        if db::tiers::slug_taken(conn, slug, Some(id))? {
            return Err(AppError::Conflict(format!(
                "a tier with the slug “{slug}” already exists"
            )));
        }
    }
    let changes = db::tiers::TierChanges {
        slug: update.slug,
        name: update.name,
        description: update.description,
        monthly_minimum: update.monthly_minimum.map(|m| m.minor()),
        currency: update
            .monthly_minimum
            .map(|m| m.currency().code().to_owned()),
        perks: update.perks.map(|p| p.to_csv()),
        link_rel: update.link_rel,
        position: update.position,
    };
    let nothing_to_change = changes.slug.is_none()
        && changes.name.is_none()
        && changes.description.is_none()
        && changes.monthly_minimum.is_none()
        && changes.perks.is_none()
        && changes.link_rel.is_none()
        && changes.position.is_none();
    if !nothing_to_change {
        db::tiers::update(conn, id, &changes)?;
    }
    find(conn, id)
}

/// Archives a tier: it leaves the wall and the donation page, and its history stays.
pub fn archive(conn: &mut DbConn, id: i64) -> AppResult<Tier> {
    let tier = find(conn, id)?;
    if tier.archived {
        return Err(AppError::Conflict(format!("tier {id} is already archived")));
    }
    db::tiers::archive(conn, id, db::now())?;
    find(conn, id)
}

/// Which way a tier moves on the wall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

/// Moves an active tier one place up or down the wall and numbers every active tier's position
/// afresh (0, 1, 2, …), so that ties left by hand-typed positions are resolved too. Reorders are
/// serialised (an advisory lock on PostgreSQL; SQLite has one writer), so two at once never
/// interleave their renumbering. Returns the tiers in their new order.
pub fn reorder(conn: &mut DbConn, id: i64, direction: Move) -> AppResult<Vec<Tier>> {
    db::lock_key(conn, REORDER_LOCK)?;
    let mut tiers = list(conn, false)?;
    let at =
        tiers
            .iter()
            .position(|t| t.id == id)
            .ok_or_else(|| match db::tiers::find(conn, id) {
                Ok(Some(_)) => AppError::Conflict(format!("tier {id} is archived")),
                _ => AppError::not_found("tier", id),
            })?;
    let to = match direction {
        Move::Up => at.checked_sub(1),
        Move::Down => (at + 1 < tiers.len()).then_some(at + 1),
    };
    if let Some(to) = to {
        tiers.swap(at, to);
    }
    for (position, tier) in tiers.iter_mut().enumerate() {
        let position = i32::try_from(position).map_err(|e| AppError::Internal(e.to_string()))?;
        if tier.position != position {
            db::tiers::update(
                conn,
                tier.id,
                &db::tiers::TierChanges {
                    position: Some(position),
                    ..Default::default()
                },
            )?;
            tier.position = position;
        }
    }
    Ok(tiers)
}

/// The advisory lock that serialises reorders.
const REORDER_LOCK: i64 = 0x636f_6666_7469_6572; // "cofftier"
