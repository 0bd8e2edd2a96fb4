//! What the embeds read beyond the wall: the logos they carry inside them (an SVG shown
//! through `<img>` loads nothing external) and when the newest named sponsors joined.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::ledger::wall::Wall;

/// How many logos the embeds carry at most.
pub const MAX_LOGOS: usize = 500;
/// How many new sponsors the feed lists.
pub const FEED_SPONSORS: i64 = 50;

/// A logo's bytes, to embed as a data URI.
#[derive(Debug, Clone)]
pub struct LogoFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The logos the wall shows, by path (`/logos/….png`), at most [`MAX_LOGOS`].
pub fn logo_files(conn: &mut DbConn, wall: &Wall) -> AppResult<HashMap<String, LogoFile>> {
    let mut files = HashMap::new();
    let paths = wall
        .tiers
        .iter()
        .flat_map(|t| t.sponsors.iter())
        .filter_map(|s| s.logo_path.as_deref());
    for path in paths {
        if files.len() >= MAX_LOGOS {
            break;
        }
        if files.contains_key(path) {
            continue;
        }
        let Some(hash) = crate::ledger::logos::hash_of_path(path) else {
            continue;
        };
        if let Some(row) = db::logos::find(conn, hash)? {
            files.insert(
                path.to_owned(),
                LogoFile {
                    content_type: row.content_type,
                    bytes: row.bytes,
                },
            );
        }
    }
    Ok(files)
}

/// When the newest donors who let their name be shown joined: `(donor id, joined)`.
pub fn newest_named(conn: &mut DbConn) -> AppResult<Vec<(i64, NaiveDateTime)>> {
    Ok(db::transparency::newest_named_donors(conn, FEED_SPONSORS)?)
}
