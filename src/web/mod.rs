//! HTTP: handlers by area, thin; they parse, call a ledger service, and shape the answer.
//! Nothing here writes SQL.

pub mod api;
pub mod assets;
pub mod openapi;
pub mod pages;
pub mod views;

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, Responder, Route};

use crate::config::Settings;
use crate::db::{DbConn, Pool};
use crate::error::{AppError, AppResult};
use crate::ledger::wall::{Wall, WallCache};

/// What every handler shares: the pool, the settings and the cached wall.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub wall_cache: Arc<WallCache>,
}

impl AppState {
    /// Runs blocking diesel work on the blocking thread pool, never on an async worker.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(AppError::from)?
    }
}

impl AppState {
    /// The public wall, from the cache when nothing was written since it was built.
    pub async fn wall(&self) -> AppResult<Arc<Wall>> {
        if let Some(wall) = self.wall_cache.get() {
            return Ok(wall);
        }
        let generation = self.wall_cache.generation();
        let currency = self.settings.currency;
        let wall = self
            .run(move |conn| crate::ledger::wall::build(conn, currency, crate::db::now()))
            .await?;
        let wall = Arc::new(wall);
        self.wall_cache.store(generation, wall.clone());
        Ok(wall)
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
        api(Method::GET, "/api/v1/tiers", public::tiers),
        api(Method::GET, "/api/v1/summary", public::summary),
        api(Method::GET, "/api/v1/admin/tiers", admin::list_tiers),
        api(Method::POST, "/api/v1/admin/tiers", admin::create_tier),
        api(
            Method::PATCH,
            "/api/v1/admin/tiers/{id}",
            admin::update_tier,
        ),
        api(
            Method::POST,
            "/api/v1/admin/tiers/{id}/archive",
            admin::archive_tier,
        ),
        api(Method::GET, "/api/v1/admin/donors", admin::list_donors),
        api(Method::POST, "/api/v1/admin/donors", admin::create_donor),
        api(Method::GET, "/api/v1/admin/donors/{id}", admin::show_donor),
        api(
            Method::PATCH,
            "/api/v1/admin/donors/{id}",
            admin::update_donor,
        ),
        api(
            Method::POST,
            "/api/v1/admin/donors/{id}/pin",
            admin::pin_donor,
        ),
        api(Method::GET, "/api/v1/admin/pledges", admin::list_pledges),
        api(Method::POST, "/api/v1/admin/pledges", admin::create_pledge),
        api(
            Method::POST,
            "/api/v1/admin/pledges/{id}/status",
            admin::change_pledge_status,
        ),
        api(Method::GET, "/api/v1/admin/ledger", admin::list_ledger),
        api(
            Method::POST,
            "/api/v1/admin/donations",
            admin::record_donation,
        ),
        api(Method::POST, "/api/v1/admin/refunds", admin::record_refund),
        api(
            Method::POST,
            "/api/v1/admin/expenses",
            admin::record_expense,
        ),
        api(
            Method::POST,
            "/api/v1/admin/corrections",
            admin::record_correction,
        ),
    ]
}

/// Registers every route: pages, assets and the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::wall))
        .route("/static/{path:.*}", web::get().to(assets::serve));
    for route in api_routes() {
        cfg.route(route.path, route.route);
    }
}
