//! What the public sees, built once per change and served from memory.
//!
//! One task (the publisher) derives the wall from the ledger, renders `/`, `/api/v1/sponsors`,
//! `/api/v1/tiers` and `/api/v1/summary`, and compresses each (gzip and brotli) once. Requests
//! only read the latest [`Published`] set: they never build, never wait on the database, and
//! never pile up. Single flight by construction: there is one publisher, and a write that lands
//! while it builds is folded into the next build, which starts at once. Writes through this
//! process wake it immediately; writes through other processes on the same PostgreSQL are seen
//! by polling the audit log's newest id twice a second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use tokio::sync::watch;

use crate::db;
use crate::i18n::Lang;
use crate::ledger::wall::Wall;
use crate::ledger::write::ChangeNotice;
use crate::web::embeds::{EmbedSource, Embeds};
use crate::web::error::{ApiError, ApiResult};
#[cfg(test)]
use crate::web::middleware::Coding;
pub use crate::web::middleware::{Representation, PUBLIC_CACHE};
use crate::web::pages::WallPage;
use crate::web::transparency::{Coverage, TransparencyPage, TransparencyView};
use crate::web::views::{PublicTierView, SponsorsView, SummaryView};
use crate::web::AppState;

/// How often the publisher looks for writes made by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Rebuild at least this often with no writes at all: one-time gifts age out of the 365-day
/// window as time passes.
const MAX_AGE: Duration = Duration::from_secs(300);
/// At most this often under a steady stream of writes: every write is still visible within
/// about this long plus one build, and the builds leave the CPU to the readers in between.
const MIN_INTERVAL: Duration = Duration::from_millis(250);
/// After a failed build (database down), wait this long before trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Everything public, derived from one state of the ledger.
#[derive(Debug)]
pub struct Published {
    pub wall: Arc<Wall>,
    /// The instance's name as the settings had it when the build began.
    pub instance_name: String,
    /// `/` in each language, in `Lang::ALL` order.
    pub homes: Vec<(Lang, Representation)>,
    pub sponsors: Representation,
    pub tiers: Representation,
    pub summary: Representation,
    /// Where the money goes, as figures.
    pub transparency: Arc<crate::reports::transparency::Transparency>,
    /// The public pages' settings as the build read them.
    pub public_settings: Arc<crate::ledger::public_pages::PublicPageSettings>,
    /// `/transparency` in each language, in `Lang::ALL` order.
    pub transparency_pages: Vec<(Lang, Representation)>,
    /// `/api/v1/transparency`.
    pub transparency_json: Representation,
    /// `/sponsors.svg`, `/badge.svg` and `/feed.atom`.
    pub embeds: crate::web::embeds::Embeds,
    /// Mastodon's donation campaign, the payment link and the NodeInfo fragment.
    pub outreach: crate::web::mastodon::Outreach,
    /// The audit log's newest id when the build began: the ledger state this shows.
    pub version: i64,
    /// How many changes this process had committed when the build began.
    pub local_generation: u64,
    pub built_at: Instant,
    pub build_time: Duration,
}

impl Published {
    /// `/` in `lang`.
    pub fn home(&self, lang: Lang) -> &Representation {
        self.homes
            .iter()
            .find(|(l, _)| *l == lang)
            .or(self.homes.first())
            .map(|(_, r)| r)
            .unwrap_or(&self.summary)
    }
}

impl Published {
    /// `/transparency` in `lang`.
    pub fn transparency_page(&self, lang: Lang) -> &Representation {
        self.transparency_pages
            .iter()
            .find(|(l, _)| *l == lang)
            .or(self.transparency_pages.first())
            .map(|(_, r)| r)
            .unwrap_or(&self.transparency_json)
    }
}

/// The latest [`Published`] set, shared by every request.
#[derive(Clone)]
pub struct Publications {
    latest: watch::Receiver<Option<Arc<Published>>>,
    sender: Arc<watch::Sender<Option<Arc<Published>>>>,
    builds: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Publications {
    fn default() -> Self {
        let (sender, latest) = watch::channel(None);
        Self {
            latest,
            sender: Arc::new(sender),
            builds: Arc::default(),
        }
    }
}

impl Publications {
    /// The latest set; only before the very first build does this wait (for that build).
    pub async fn latest(&self) -> ApiResult<Arc<Published>> {
        if let Some(published) = self.latest.borrow().clone() {
            crate::web::metrics::cache_hit();
            return Ok(published);
        }
        let mut latest = self.latest.clone();
        let first = tokio::time::timeout(Duration::from_secs(30), latest.wait_for(Option::is_some))
            .await
            .map_err(|_| ApiError::Internal("the wall was not built in time".to_owned()))?
            .map_err(|_| ApiError::Internal("the wall's publisher stopped".to_owned()))?;
        first
            .clone()
            .ok_or_else(|| ApiError::Internal("no wall".to_owned()))
    }

    /// Waits until a published set includes every change this process committed before the
    /// call (with a deadline). For tests and tools that read right after writing; requests
    /// never wait like this.
    pub async fn caught_up(&self, notice: &ChangeNotice, deadline: Duration) -> bool {
        let wanted = notice.generation();
        self.wait_until(deadline, |p| p.local_generation >= wanted)
            .await
    }

    /// Waits, up to `deadline`, until the published pages show the database's audit `version`
    /// or a later one: writes made by another process (the CLI, a second server) are picked up
    /// by polling, not by this process's notice.
    pub async fn shows_version(&self, version: i64, deadline: Duration) -> bool {
        self.wait_until(deadline, |p| p.version >= version).await
    }

    /// Waits, up to `deadline`, until a published build satisfies `done`.
    async fn wait_until(&self, deadline: Duration, done: impl Fn(&Published) -> bool) -> bool {
        let mut latest = self.latest.clone();
        tokio::time::timeout(
            deadline,
            latest.wait_for(|p| p.as_deref().is_some_and(&done)),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    }

    fn publish(&self, published: Published) {
        self.builds
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.sender.send_replace(Some(Arc::new(published)));
    }

    /// How many times this process built and published the wall.
    pub fn builds(&self) -> u64 {
        self.builds.load(std::sync::atomic::Ordering::Acquire)
    }

    fn current(&self) -> Option<Arc<Published>> {
        self.latest.borrow().clone()
    }
}

/// The publisher's own database connection, outside the pool: its builds and its polling never
/// make a request wait for a pooled connection, and its page cache keeps what every build
/// reads while the pooled connections keep small ones.
#[derive(Default)]
struct OwnConnection {
    conn: Option<db::DbConn>,
    /// The ledger's sums per month, kept between builds (see [`LedgerSums`]).
    sums: Arc<std::sync::Mutex<crate::reports::transparency::LedgerSums>>,
}

impl OwnConnection {
    /// Runs `work` on the blocking pool with this connection, opened on first use. After a
    /// failure the connection is dropped and the next call opens a new one.
    async fn run<T, F>(&mut self, state: &AppState, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut db::DbConn) -> crate::error::AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let conn = self.conn.take();
        let url = state.settings.database_url.clone();
        let (conn, result) = actix_web::web::block(move || {
            let mut conn = match conn {
                Some(conn) => conn,
                None => {
                    let opened = db::connect(&url).and_then(|mut conn| {
                        db::prepare_for_publishing(&mut conn)?;
                        Ok(conn)
                    });
                    match opened {
                        Ok(conn) => conn,
                        Err(err) => {
                            let err = crate::error::AppError::Internal(err.to_string());
                            return (None, Err(err));
                        }
                    }
                }
            };
            let result = work(&mut conn);
            (result.is_ok().then_some(conn), result)
        })
        .await?;
        self.conn = conn;
        Ok(result?)
    }
}

/// Runs the publisher until the process ends: builds at start, then after every change.
pub async fn run_publisher(state: AppState) {
    let notice = state.writes.notice().clone();
    let mut own = OwnConnection::default();
    loop {
        let local_generation = notice.generation();
        let version = match own
            .run(&state, |conn| Ok(db::audit::latest_id(conn)?))
            .await
        {
            Ok(version) => version,
            Err(err) => {
                tracing::error!(error = %err, "the publisher cannot read the ledger's version");
                tokio::time::sleep(RETRY_AFTER_FAILURE).await;
                continue;
            }
        };
        let stale = match state.publications.current() {
            None => true,
            Some(current) => {
                current.version != version
                    || current.local_generation != local_generation
                    || current.built_at.elapsed() > MAX_AGE
            }
        };
        if stale {
            if let Some(since) = state.publications.current().map(|p| p.built_at.elapsed()) {
                if since < MIN_INTERVAL {
                    tokio::time::sleep(MIN_INTERVAL - since).await;
                    // Writes that came meanwhile go into this build.
                    continue;
                }
            }
            match build(&state, &mut own, version, local_generation).await {
                Ok(published) => {
                    crate::web::metrics::wall_rebuilt(published.build_time);
                    state.publications.publish(published);
                    // The build's scratch memory (rows, JSON, compressor windows) goes back
                    // to the system, so that the resident size stays that of one wall.
                    crate::memory::return_free_memory();
                }
                Err(err) => {
                    tracing::error!(error = %err, "building the wall failed; serving the last one");
                    tokio::time::sleep(RETRY_AFTER_FAILURE).await;
                }
            }
            // Look again at once: writes that landed during the build go into the next one.
            continue;
        }
        tokio::select! {
            _ = notice.wait() => {}
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}

/// Builds the wall as of now and renders every public representation of it.
async fn build(
    state: &AppState,
    own: &mut OwnConnection,
    version: i64,
    local_generation: u64,
) -> ApiResult<Published> {
    let started = Instant::now();
    let currency = state.settings.currency;
    let default_name = state.settings.instance_name.clone();
    let sums = own.sums.clone();
    let (wall, tiers, instance_name, public_settings, transparency) = own
        .run(state, move |conn| {
            let now = db::now();
            let wall = crate::ledger::wall::build(conn, currency, now)?;
            let tiers = crate::ledger::tiers::list(conn, false)?;
            let name = crate::ledger::settings::instance_name(conn, &default_name)?;
            let public_settings = crate::ledger::public_pages::load(conn)?;
            let transparency = {
                let mut sums = sums
                    .lock()
                    .map_err(|_| crate::error::AppError::Internal("the sums' lock".to_owned()))?;
                crate::reports::transparency::build(
                    conn,
                    &mut sums,
                    currency,
                    &public_settings,
                    now,
                )?
            };
            let logos = crate::reports::embeds::logo_files(conn, &wall)?;
            let newest_named = crate::reports::embeds::newest_named(conn)?;
            let checkpoint = crate::ledger::log::latest_checkpoint(conn)?;
            Ok((
                wall,
                tiers,
                name,
                public_settings,
                (transparency, logos, newest_named, checkpoint),
            ))
        })
        .await?;
    let (transparency, logos, newest_named, checkpoint) = transparency;
    let queried = started.elapsed();
    let wall = Arc::new(wall);
    let settings = state.settings.clone();
    let rendered_wall = wall.clone();
    let previous = state.publications.current();
    let published = actix_web::web::block(move || -> ApiResult<Published> {
        let wall = rendered_wall;
        let previous = previous.as_deref();
        let mut homes = Vec::new();
        for lang in Lang::ALL {
            let html = WallPage {
                instance_name: &instance_name,
                wall: &wall,
                lang,
            }
            .render()
            .map_err(|e| ApiError::Internal(format!("rendering the wall: {e}")))?;
            homes.push((
                lang,
                Representation::unless_unchanged(
                    previous.map(|p| p.home(lang)),
                    "text/html; charset=utf-8",
                    PUBLIC_CACHE,
                    html.into_bytes(),
                ),
            ));
        }
        let coverage = Coverage::new(&wall, &transparency);
        let mut transparency_pages = Vec::new();
        for lang in Lang::ALL {
            let html = TransparencyPage {
                instance_name: &instance_name,
                transparency: &transparency,
                coverage,
                public_url: &settings.public_url,
                checkpoint: checkpoint.as_ref(),
                lang,
            }
            .render()
            .map_err(|e| ApiError::Internal(format!("rendering /transparency: {e}")))?;
            transparency_pages.push((
                lang,
                Representation::unless_unchanged(
                    previous.map(|p| p.transparency_page(lang)),
                    "text/html; charset=utf-8",
                    PUBLIC_CACHE,
                    html.into_bytes(),
                ),
            ));
        }
        let transparency_json = json(
            previous.map(|p| &p.transparency_json),
            &TransparencyView::new(&transparency, &coverage),
        )?;
        let embeds = Embeds::build(
            &EmbedSource {
                instance_name: &instance_name,
                public_url: &settings.public_url,
                wall: &wall,
                transparency: &transparency,
                newest_named: &newest_named,
                checkpoint: checkpoint.as_ref(),
                logos: Arc::new(with_static_logos(logos, &wall)),
            },
            previous.map(|p| &p.embeds),
        );
        let outreach = crate::web::mastodon::Outreach::build(
            &crate::web::mastodon::OutreachSource {
                instance_name: &instance_name,
                public_url: &settings.public_url,
                currency: settings.currency,
                tiers: &tiers,
                settings: &public_settings,
            },
            previous.map(|p| &p.outreach),
        )?;
        let tiers: Vec<PublicTierView> = tiers.iter().map(PublicTierView::from).collect();
        let homes_done = started.elapsed();
        let published = Published {
            homes,
            sponsors: json(
                previous.map(|p| &p.sponsors),
                &SponsorsView::new(&wall, &settings.public_url),
            )?,
            tiers: json(
                previous.map(|p| &p.tiers),
                &crate::web::views::PublicTiersView { tiers },
            )?,
            summary: json(previous.map(|p| &p.summary), &SummaryView::from(&*wall))?,
            transparency: Arc::new(transparency),
            public_settings: Arc::new(public_settings),
            transparency_pages,
            transparency_json,
            embeds,
            outreach,
            wall,
            instance_name,
            version,
            local_generation,
            built_at: Instant::now(),
            build_time: started.elapsed(),
        };
        tracing::debug!(
            query_ms = queried.as_secs_f64() * 1e3,
            homes_ms = (homes_done - queried).as_secs_f64() * 1e3,
            json_ms = (published.build_time - homes_done).as_secs_f64() * 1e3,
            "published"
        );
        Ok(published)
    })
    .await??;
    Ok(published)
}

/// Adds the logos that are static files (the demo's) to those read from the database.
fn with_static_logos(
    mut logos: std::collections::HashMap<String, crate::reports::embeds::LogoFile>,
    wall: &crate::ledger::wall::Wall,
) -> std::collections::HashMap<String, crate::reports::embeds::LogoFile> {
    let paths = wall
        .tiers
        .iter()
        .flat_map(|t| t.sponsors.iter())
        .filter_map(|s| s.logo_path.as_deref())
        .filter(|p| p.starts_with("/static/"));
    for path in paths {
        if logos.len() >= crate::reports::embeds::MAX_LOGOS {
            break;
        }
        if let Some((content_type, bytes)) = crate::web::assets::embedded(path) {
            logos.insert(
                path.to_owned(),
                crate::reports::embeds::LogoFile {
                    content_type,
                    bytes,
                },
            );
        }
    }
    logos
}

fn json<T: serde::Serialize>(
    previous: Option<&Representation>,
    value: &T,
) -> ApiResult<Representation> {
    let body =
        serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("serialising: {e}")))?;
    Ok(Representation::unless_unchanged(
        previous,
        "application/json",
        PUBLIC_CACHE,
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_answer_keeps_its_compressed_bodies() {
        let body = b"{\"sponsors\": []}".repeat(50);
        let first = Representation::new("application/json", PUBLIC_CACHE, body.clone());
        let same = Representation::unless_unchanged(
            Some(&first),
            "application/json",
            PUBLIC_CACHE,
            body.clone(),
        );
        let first_br = first.body(Coding::Brotli).unwrap();
        // The very same bytes, not compressed again.
        assert_eq!(
            same.body(Coding::Brotli).unwrap().as_ptr(),
            first_br.as_ptr()
        );
        assert_eq!(same.tag, first.tag);

        let mut changed_body = body;
        changed_body.extend_from_slice(b" ");
        let changed = Representation::unless_unchanged(
            Some(&first),
            "application/json",
            PUBLIC_CACHE,
            changed_body,
        );
        assert_ne!(changed.tag, first.tag);
        assert_ne!(changed.body(Coding::Brotli).unwrap(), first_br);
        let html = Representation::unless_unchanged(
            Some(&first),
            "text/html; charset=utf-8",
            PUBLIC_CACHE,
            b"{\"sponsors\": []}".repeat(50),
        );
        assert_eq!(html.content_type, "text/html; charset=utf-8");
    }
}
