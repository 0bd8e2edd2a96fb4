//! HTTP: handlers by area, thin; they parse, call a ledger service, and shape the answer.
//! Nothing here writes SQL.

pub mod admin;
pub mod api;
pub mod assets;
pub mod client;
pub mod donate;
pub mod embeds;
pub mod error;
pub mod health;
pub mod inputs;
pub mod logos;
pub mod mastodon;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod published;
pub mod security;
pub mod transparency;
pub mod views;
pub mod webhooks;

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpRequest, Responder, Route};

use crate::config::Settings;
use crate::db::{DbConn, Pool};
use crate::error::AppResult;
use crate::ledger::write::WriteUnit;
use error::{ApiError, ApiResult, PageError};

/// What every handler shares: the pool, the settings, the published wall and the write unit.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub publications: published::Publications,
    pub writes: WriteUnit,
    /// Sign-in attempts per address and per account.
    pub sign_in_limiter: Arc<admin::limiter::RateLimiter>,
    /// Stripe's API, when `COFFER_STRIPE_SECRET_KEY` is set.
    pub stripe: Option<Arc<crate::payments::stripe::Api>>,
    /// Donation forms and self-service link requests per address.
    pub donate_limiter: Arc<admin::limiter::RateLimiter>,
    /// `/healthz`'s one probe at a time.
    pub health: Arc<health::HealthProbe>,
}

impl AppState {
    pub fn new(pool: Pool, settings: Settings) -> Self {
        Self {
            pool,
            publications: published::Publications::default(),
            writes: WriteUnit::default(),
            sign_in_limiter: Arc::new(admin::limiter::RateLimiter::new(
                admin::limiter::SIGN_IN_TRIES,
                std::time::Duration::from_secs(60),
            )),
            stripe: settings.stripe_secret_key.as_deref().and_then(|key| {
                crate::payments::stripe::Api::new(key, settings.stripe_api_base.as_deref())
                    .map(Arc::new)
                    .map_err(|e| tracing::error!("Stripe is not usable: {e}"))
                    .ok()
            }),
            donate_limiter: Arc::new(admin::limiter::RateLimiter::new(
                donate::TRIES_PER_WINDOW,
                donate::RATE_WINDOW,
            )),
            health: Arc::default(),
            settings: Arc::new(settings),
        }
    }

    /// Counts an attempt for every key at once, or refuses with 429 and the seconds to wait.
    /// In memory on SQLite; in the database on PostgreSQL, shared by every process.
    pub async fn rate_limit(
        &self,
        limiter: &admin::limiter::RateLimiter,
        keys: Vec<String>,
    ) -> ApiResult<()> {
        let refused = match self.settings.database_url {
            crate::db::DatabaseUrl::Sqlite(_) => limiter.attempt(&keys).err(),
            crate::db::DatabaseUrl::Postgres(_) => {
                let (limit, window) = (limiter.limit(), limiter.window());
                self.run(move |conn| {
                    Ok(crate::db::rate_limits::attempt(
                        conn,
                        &keys,
                        limit,
                        window,
                        crate::db::now(),
                    )?)
                })
                .await?
            }
        };
        match refused {
            Some(retry_after) => Err(ApiError::TooManyRequests { retry_after }),
            None => Ok(()),
        }
    }

    /// Runs blocking diesel work on the blocking thread pool, never on an async worker.
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let result = web::block(move || {
            let waited = std::time::Instant::now();
            let mut conn = pool.get()?;
            metrics::pool_wait(waited.elapsed());
            work(&mut conn)
        })
        .await?;
        result.map_err(|err| {
            let err = ApiError::from(err);
            if let Some(reason) = err.fault() {
                self.health.note_fault(reason);
            }
            err
        })
    }
}

/// One route of the JSON API; the app is built from this list and the OpenAPI test reads it.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    pub route: Route,
}

fn api<F, Args>(method: Method, path: &'static str, handler: F) -> ApiRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    ApiRoute {
        route: web::method(method.clone()).to(handler),
        method,
        path,
    }
}

/// Every JSON route, public and admin.
pub fn api_routes() -> Vec<ApiRoute> {
    use api::{admin, public};
    vec![
        api(Method::GET, "/healthz", public::health),
        api(Method::GET, "/openapi.json", openapi::document),
        api(Method::GET, "/api/v1/sponsors", public::sponsors),
        api(
            Method::GET,
            "/api/v1/sponsors/{slug}",
            public::tier_sponsors,
        ),
        api(Method::GET, "/api/v1/tiers", public::tiers),
        api(Method::GET, "/api/v1/summary", public::summary),
        api(
            Method::GET,
            "/.well-known/coffer/checkpoints.json",
            api::books::checkpoints,
        ),
        api(
            Method::GET,
            "/.well-known/coffer/ledger-key",
            api::books::ledger_key,
        ),
        api(
            Method::GET,
            "/api/v1/ledger/consistency",
            api::books::consistency,
        ),
        api(
            Method::GET,
            "/api/v1/ledger/proof/{number}",
            api::books::proof,
        ),
        api(Method::GET, "/api/v1/transparency", transparency::json),
        api(
            Method::GET,
            "/api/v1/mastodon/donation_campaign",
            mastodon::donation_campaign,
        ),
        api(
            Method::GET,
            "/api/v1/fediverse/payment-link",
            mastodon::payment_link_json,
        ),
        api(
            Method::GET,
            "/api/v1/fediverse/nodeinfo-metadata",
            mastodon::nodeinfo_metadata,
        ),
        api(Method::POST, "/webhooks/stripe", webhooks::stripe),
        api(Method::GET, "/api/v1/admin/tiers", admin::tiers::list),
        api(Method::POST, "/api/v1/admin/tiers", admin::tiers::create),
        api(
            Method::PATCH,
            "/api/v1/admin/tiers/{id}",
            admin::tiers::update,
        ),
        api(
            Method::POST,
            "/api/v1/admin/tiers/{id}/archive",
            admin::tiers::archive,
        ),
        api(Method::GET, "/api/v1/admin/donors", admin::donors::list),
        api(Method::POST, "/api/v1/admin/donors", admin::donors::create),
        api(
            Method::GET,
            "/api/v1/admin/donors/{id}",
            admin::donors::show,
        ),
        api(
            Method::PATCH,
            "/api/v1/admin/donors/{id}",
            admin::donors::update,
        ),
        api(
            Method::POST,
            "/api/v1/admin/donors/{id}/pin",
            admin::donors::pin,
        ),
        api(Method::GET, "/api/v1/admin/pledges", admin::pledges::list),
        api(
            Method::POST,
            "/api/v1/admin/pledges",
            admin::pledges::create,
        ),
        api(
            Method::POST,
            "/api/v1/admin/pledges/{id}/status",
            admin::pledges::change_status,
        ),
        api(Method::GET, "/api/v1/admin/ledger", admin::ledger::list),
        api(
            Method::POST,
            "/api/v1/admin/donations",
            admin::ledger::record_donation,
        ),
        api(
            Method::POST,
            "/api/v1/admin/refunds",
            admin::ledger::record_refund,
        ),
        api(
            Method::POST,
            "/api/v1/admin/expenses",
            admin::ledger::record_expense,
        ),
        api(
            Method::POST,
            "/api/v1/admin/expenses/{id}/public-note",
            admin::public_pages::publish_note,
        ),
        api(
            Method::GET,
            "/api/v1/admin/public-settings",
            admin::public_pages::show,
        ),
        api(
            Method::POST,
            "/api/v1/admin/public-settings",
            admin::public_pages::update,
        ),
        api(
            Method::POST,
            "/api/v1/admin/corrections",
            admin::ledger::record_correction,
        ),
        api(
            Method::GET,
            "/api/v1/admin/receipts/{number}",
            admin::receipts::show,
        ),
        api(
            Method::POST,
            "/api/v1/admin/receipts/{number}/resend",
            admin::receipts::resend,
        ),
    ]
}

/// Registers every route: pages, assets and the API. Each path is one resource whose other
/// methods answer 405 with `Allow`; HEAD is served wherever GET is (see [`middleware`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .route(web::get().to(pages::wall))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(PageError(method_not_allowed(&req, &[Method::GET])))
            })),
    )
    .service(
        web::resource("/sponsors/{slug}")
            .route(web::get().to(pages::tier_sponsors))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(PageError(method_not_allowed(&req, &[Method::GET])))
            })),
    )
    .service(
        web::resource("/transparency")
            .route(web::get().to(transparency::page))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(PageError(method_not_allowed(&req, &[Method::GET])))
            })),
    )
    .service(
        web::resource("/sponsors.svg")
            .route(web::get().to(embeds::sponsors))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(method_not_allowed(&req, &[Method::GET]))
            })),
    )
    .service(
        web::resource("/badge.svg")
            .route(web::get().to(embeds::badge_svg))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(method_not_allowed(&req, &[Method::GET]))
            })),
    )
    .service(
        web::resource("/feed.atom")
            .route(web::get().to(embeds::feed_atom))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(method_not_allowed(&req, &[Method::GET]))
            })),
    )
    .service(
        web::resource("/metrics")
            .route(web::get().to(metrics::render))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(method_not_allowed(&req, &[Method::GET]))
            })),
    )
    .service(
        web::resource("/logos/{file}")
            .route(web::get().to(logos::serve))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(PageError(method_not_allowed(&req, &[Method::GET])))
            })),
    )
    .service(
        web::resource("/favicon.ico")
            .route(web::get().to(assets::favicon))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(method_not_allowed(&req, &[Method::GET]))
            })),
    )
    .service(
        web::resource("/robots.txt")
            .route(web::get().to(assets::robots))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(method_not_allowed(&req, &[Method::GET]))
            })),
    )
    .service(
        web::resource("/static/{path:.*}")
            .route(web::get().to(assets::serve))
            .default_service(web::to(|req: HttpRequest| async move {
                Err::<&str, _>(PageError(method_not_allowed(&req, &[Method::GET])))
            })),
    );
    admin::configure(cfg);
    donate::configure(cfg);
    let mut paths: Vec<(&'static str, Vec<ApiRoute>)> = Vec::new();
    for route in api_routes() {
        match paths.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, routes)) => routes.push(route),
            None => paths.push((route.path, vec![route])),
        }
    }
    for (path, routes) in paths {
        let allowed: Vec<Method> = routes.iter().map(|r| r.method.clone()).collect();
        let mut resource = web::resource(path);
        for route in routes {
            resource = resource.route(route.route);
        }
        cfg.service(resource.default_service(web::to(move |req: HttpRequest| {
            let allowed = allowed.clone();
            async move { Err::<&str, _>(method_not_allowed(&req, &allowed)) }
        })));
    }
}

/// The 405 for a method a resource does not serve, with the `Allow` header listing those it
/// does (HEAD included wherever GET is).
fn method_not_allowed(req: &HttpRequest, allowed: &[Method]) -> ApiError {
    let mut names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    if allowed.contains(&Method::GET) {
        names.push("HEAD");
    }
    ApiError::MethodNotAllowed {
        method: req.method().to_string(),
        allow: names.join(", "),
    }
}
