//! Builds the application: migrate, pool, routes, a bound listener (port 0 allowed) and the
//! mail worker.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{error::InternalError, web, App, HttpResponse, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::mail::{Mailer, MailerOptions};
use crate::web::error::{ApiError, PageError};
use crate::web::{middleware, security, AppState};

/// Blocking threads (database work) per HTTP worker; the pool has 8 to 10 connections and
/// there are as many workers as cores.
const BLOCKING_THREADS_PER_WORKER: usize = 6;

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailSetupError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

impl Application {
    /// Migrates the database, builds the pool and binds `settings.bind`.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let pool = prepare_database(&settings)?;
        Self::build_with_pool(settings, pool)
    }

    /// Binds and builds the server on an existing, migrated pool.
    pub fn build_with_pool(settings: Settings, pool: Pool) -> Result<Self, StartupError> {
        Self::build_with_mail(settings, pool, MailerOptions::default())
    }

    /// Like [`Application::build_with_pool`], with the mail worker paced by `mail` (tests retry
    /// in milliseconds and write `.eml` files to a temporary folder). Must run inside the actix
    /// runtime: the mail worker is spawned on it.
    pub fn build_with_mail(
        settings: Settings,
        pool: Pool,
        mail: MailerOptions,
    ) -> Result<Self, StartupError> {
        check_console_key(&settings, &pool)?;
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: settings.bind.clone(),
                source,
            })?
            .port();
        crate::web::metrics::install();
        let state = AppState::new(pool.clone(), settings.clone());
        let mailer = Mailer::new(pool, &settings, mail, state.writes.outbox_signal())?;
        if mailer.transport_name() == "files" {
            tracing::info!("COFFER_SMTP_URL is not set: mail is written as .eml files instead");
        }
        actix_web::rt::spawn(mailer.run());
        actix_web::rt::spawn(crate::web::metrics::run_upkeep());
        let server = run(listener, state.clone()).map_err(|source| StartupError::Bind {
            address: "listener".to_owned(),
            source,
        })?;
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The shared state, for tests and tools that watch what is published.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is stopped, with the wall's publisher running beside.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let publisher = actix_web::rt::spawn(crate::web::published::run_publisher(self.state));
        let result = self.server.await;
        publisher.abort();
        result
    }
}

/// Once console accounts exist, sessions need a proper secret key: refuse to start without one.
fn check_console_key(settings: &Settings, pool: &Pool) -> Result<(), StartupError> {
    let mut conn = pool.get().map_err(db::DbSetupError::from)?;
    let admins = crate::db::admins::count(&mut conn).map_err(db::DbSetupError::from)?;
    if admins > 0 {
        settings.console_key()?;
        // The dummy hash that unknown emails are checked against, made before the first one.
        crate::ledger::admins::warm_up();
    }
    Ok(())
}

/// Opens the pool and applies pending migrations.
pub fn prepare_database(settings: &Settings) -> Result<Pool, db::DbSetupError> {
    let pool = db::build_pool(&settings.database_url)?;
    migrate(&mut *pool.get()?, settings)?;
    Ok(pool)
}

/// Applies pending migrations on one connection and logs what was applied.
pub fn migrate(conn: &mut db::DbConn, settings: &Settings) -> Result<(), db::DbSetupError> {
    let applied = db::run_migrations(conn)?;
    db::optimize(conn)?;
    if applied > 0 {
        tracing::info!(
            applied,
            backend = settings.database_url.backend_name(),
            "applied migrations"
        );
    }
    Ok(())
}

fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let https = state.settings.is_https();
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                json_error(ApiError::BadRequest(format!("invalid query: {err}")))
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| {
                json_error(crate::error::AppError::not_found("resource", "at this path").into())
            }))
            // Innermost first: the headers every answer carries, then validators and
            // precompressed public bodies, admin no-store, compression of the rest, HEAD as
            // GET, and outermost the request log with an id per request.
            .wrap(security::headers(https))
            .wrap(from_fn(middleware::representations))
            .wrap(from_fn(middleware::no_store_admin))
            .wrap(Compress::default())
            .wrap(from_fn(middleware::head_as_get))
            .wrap(from_fn(crate::web::metrics::record_request))
            .wrap(TracingLogger::default())
            .configure(crate::web::configure)
            .default_service(web::to(not_found))
    })
    // Blocking threads beyond the pool's connections would only wait for one, each holding a
    // stack and its allocator cache: a few per worker cover the pool.
    .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
    .listen(listener)?
    .run();
    Ok(server)
}

fn json_error(err: ApiError) -> actix_web::Error {
    let response = actix_web::ResponseError::error_response(&err);
    InternalError::from_response(err, response).into()
}

async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    let err: ApiError =
        crate::error::AppError::not_found("route", format!("{} {}", req.method(), req.path()))
            .into();
    if req.path().starts_with("/api/") {
        actix_web::ResponseError::error_response(&err)
    } else {
        actix_web::ResponseError::error_response(&PageError(err))
    }
}
