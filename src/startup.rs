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

/// How long in-flight requests may take to finish once a stop is asked for (SIGTERM).
const SHUTDOWN_GRACE_SECONDS: u64 = 20;

/// How long the mail worker may take to finish the message it is sending once asked to stop.
const MAIL_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    mailer: Mailer,
    mail_task: actix_web::rt::task::JoinHandle<()>,
    mail_stop: tokio::sync::watch::Sender<bool>,
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
        let (mail_stop, stop) = tokio::sync::watch::channel(false);
        let mail_task = actix_web::rt::spawn(mailer.clone().run_until(stop));
        actix_web::rt::spawn(crate::web::metrics::run_upkeep());
        if let Some(api) = state.stripe.clone() {
            actix_web::rt::spawn(run_stripe_sync(
                api,
                state.pool.clone(),
                state.writes.clone(),
            ));
        }
        if let Some(file) = &settings.signing_key_file {
            let key = crate::ledger::log::InstanceKey::read(file).map_err(|e| {
                crate::config::ConfigError {
                    name: "COFFER_SIGNING_KEY_FILE",
                    message: e.to_string(),
                }
            })?;
            actix_web::rt::spawn(crate::web::api::books::run_checkpoints(state.clone(), key));
        }
        let server = run(listener, state.clone()).map_err(|source| StartupError::Bind {
            address: "listener".to_owned(),
            source,
        })?;
        Ok(Self {
            port,
            server,
            state,
            mailer,
            mail_task,
            mail_stop,
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
    ///
    /// On SIGTERM (or SIGINT) the server stops accepting, lets in-flight requests finish (up to
    /// [`SHUTDOWN_GRACE_SECONDS`]), then the mail worker finishes the message it is sending and
    /// stops; if it cannot within [`MAIL_STOP_WAIT`], its leases are given back so the next
    /// process sends those messages at once.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let publisher = actix_web::rt::spawn(crate::web::published::run_publisher(self.state));
        let result = self.server.await;
        publisher.abort();
        let _ = self.mail_stop.send(true);
        let mut mail_task = self.mail_task;
        if tokio::time::timeout(MAIL_STOP_WAIT, &mut mail_task)
            .await
            .is_err()
        {
            mail_task.abort();
            let mailer = self.mailer;
            match actix_web::web::block(move || mailer.release_leases()).await {
                Ok(Ok(released)) => {
                    tracing::warn!(
                        released,
                        "the mail worker was cut off; its leases were released"
                    )
                }
                Ok(Err(err)) => tracing::error!("releasing the mail worker's leases: {err}"),
                Err(err) => tracing::error!("releasing the mail worker's leases: {err}"),
            }
        }
        tracing::info!("stopped");
        result
    }
}

/// How often the server reads Stripe's event list for what the webhooks missed.
const STRIPE_SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Every hour, applies the Stripe events no webhook delivered (one process at a time on
/// PostgreSQL; the others skip that hour).
async fn run_stripe_sync(
    api: std::sync::Arc<crate::payments::stripe::Api>,
    pool: Pool,
    writes: crate::ledger::write::WriteUnit,
) {
    use crate::payments::stripe::sync::{self, SyncError};
    loop {
        tokio::time::sleep(STRIPE_SYNC_EVERY).await;
        // A day back covers any outage the hourly run would have noticed.
        let since = chrono::Utc::now().timestamp() - 24 * 3600;
        match sync::sync(&api, &pool, &writes, Some(since), &mut |_| {}).await {
            Ok(synced) if synced.applied > 0 => tracing::warn!("the hourly Stripe sync {synced}"),
            Ok(synced) => tracing::debug!("the hourly Stripe sync {synced}"),
            Err(SyncError::Busy) => tracing::debug!("another process runs the Stripe sync"),
            Err(err) => tracing::warn!("the hourly Stripe sync failed: {err}"),
        }
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
    // Entries recorded before the Merkle log existed become its first leaves, once.
    let logged =
        crate::ledger::log::catch_up(conn).map_err(|e| db::DbSetupError::Log(e.to_string()))?;
    if logged > 0 {
        tracing::info!(logged, "appended existing ledger entries to the Merkle log");
    }
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
            // Outermost: who the client is, before anything (the request log first) asks.
            .wrap(from_fn(crate::web::client::identify_client))
            .configure(crate::web::configure)
            .default_service(web::to(not_found))
    })
    // Blocking threads beyond the pool's connections would only wait for one, each holding a
    // stack and its allocator cache: a few per worker cover the pool.
    .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
    .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
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
