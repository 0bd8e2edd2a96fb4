//! The database layer: one connection type over SQLite and PostgreSQL, the pool, migrations and the
//! repository functions. Repos return `QueryResult`; nothing here knows about HTTP.

pub mod admins;
pub mod api_tokens;
pub mod audit;
pub mod donors;
pub mod idempotency;
pub mod imports;
pub mod ledger;
pub mod logos;
pub mod maintenance;
pub mod merkle;
pub mod outbox;
pub mod payments;
pub mod pledges;
pub mod rate_limits;
pub mod receipts;
pub mod schema;
pub mod settings;
pub mod tiers;
pub mod transparency;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend the database URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

/// The pool every request and command draws connections from.
pub type Pool = r2d2::Pool<ConnectionManager>;
/// A connection checked out of the pool.
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// Runs the same diesel expression against the concrete backend connection, for the few queries
/// (`RETURNING`, `ON CONFLICT`) that the multi-backend connection cannot express.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

/// Where the data lives, parsed from `COFFER_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file, created with its folder on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string, passed to libpq as given.
    Postgres(String),
}

/// Why a database URL or connection could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("COFFER_DATABASE_URL must start with sqlite:// or postgres:// (got “{0}”)")]
    UnknownScheme(String),
    #[error("cannot create the folder for the SQLite database {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("cannot connect to the database: {}", one_line(&.0.to_string()))]
    Connection(#[from] diesel::ConnectionError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("the database's schema ({found}) is newer than this coffer binary knows (up to {known}): run the newer coffer, or restore a backup made for this one")]
    NewerSchema { found: String, known: String },
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("building the ledger's Merkle log: {0}")]
    Log(String),
}

/// libpq's messages span several lines (error, detail, hint); an operator's log wants one.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

impl DatabaseUrl {
    /// Parses `sqlite://relative/path`, `sqlite:///absolute/path` or `postgres://…`.
    pub fn parse(url: &str) -> Result<Self, DbSetupError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbSetupError::UnknownScheme(url.to_owned()));
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(DbSetupError::UnknownScheme(url.to_owned()))
        }
    }

    /// Which backend this URL names, for logs (never the URL itself: it may hold a password).
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// An r2d2 manager that picks the backend from the URL scheme, so that PostgreSQL's own error
/// message reaches the operator (the derive's `establish` hides it).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    fn connect(&self) -> Result<DbConn, diesel::ConnectionError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
                // WAL lets readers work while one writer commits; busy_timeout makes writers queue
                // instead of failing; foreign keys are off in SQLite unless asked for.
                // A 512 KiB page cache (a quarter of the default) per pooled connection:
                // requests touch a few pages each, and a page the OS already caches costs a
                // microsecond or two to read again, while eight full caches would be 16 MiB.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA cache_size = -512;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(url)?;
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Postgres(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        ConnectionManager::connect(self).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection in a failed transaction, or still inside one (a panic or a forgotten commit),
    /// must not go back to the pool: the next user would write inside someone else's transaction.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::connection::TransactionManagerStatus;
        match <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn) {
            TransactionManagerStatus::InError => true,
            TransactionManagerStatus::Valid(status) => status.transaction_depth().is_some(),
        }
    }
}

/// Opens one connection without a pool, for one-shot commands: a pool's background threads
/// would still be connecting while the process exits.
pub fn connect(url: &DatabaseUrl) -> Result<DbConn, DbSetupError> {
    if let DatabaseUrl::Sqlite(path) = url {
        create_parent_dir(path)?;
    }
    Ok(ConnectionManager { url: url.clone() }.connect()?)
}

fn create_parent_dir(path: &std::path::Path) -> Result<(), DbSetupError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| DbSetupError::CreateDir {
            path: path.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// How long a request waits for a connection before it is answered 503: short, so that a
/// database that went away gives a quick, clear answer instead of a hang.
pub const POOL_WAIT: Duration = Duration::from_secs(2);

/// Builds the pool; the first connection is made here so a bad URL fails at start, not later.
pub fn build_pool(url: &DatabaseUrl) -> Result<Pool, DbSetupError> {
    let max_size = match url {
        DatabaseUrl::Sqlite(path) => {
            create_parent_dir(path)?;
            8
        }
        DatabaseUrl::Postgres(_) => 10,
    };
    let manager = ConnectionManager { url: url.clone() };
    // Connect once outside r2d2 so the operator sees the backend's own error, not a timeout.
    manager.connect()?;
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(POOL_WAIT)
        .build(manager)?;
    Ok(pool)
}

/// Applies the embedded migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, DbSetupError> {
    let migrations = match conn {
        DbConn::Sqlite(_) => SQLITE_MIGRATIONS,
        DbConn::Postgres(_) => POSTGRES_MIGRATIONS,
    };
    refuse_newer_schema(conn, &migrations)?;
    conn.run_pending_migrations(migrations)
        .map(|applied| applied.len())
        .map_err(|e| DbSetupError::Migration(e.to_string()))
}

/// Runs `work` in a transaction that holds the write lock from its first statement.
///
/// On SQLite a deferred transaction that reads and then writes can fail with SQLITE_BUSY when
/// another writer commits in between; `BEGIN IMMEDIATE` makes it wait for its turn instead.
/// A database that a newer Coffer migrated holds tables and rules this binary does not know;
/// running on it could write what the newer code forbids. Refused with the version it found.
fn refuse_newer_schema(
    conn: &mut DbConn,
    migrations: &EmbeddedMigrations,
) -> Result<(), DbSetupError> {
    use diesel::migration::MigrationSource;
    let known: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(migrations)
        .map_err(|e| DbSetupError::Migration(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    // A new database has no migrations table yet: nothing can be newer.
    let applied = match conn.applied_migrations() {
        Ok(applied) => applied,
        Err(_) => return Ok(()),
    };
    let mut unknown: Vec<String> = applied
        .iter()
        .map(ToString::to_string)
        .filter(|v| !known.contains(v))
        .collect();
    unknown.sort();
    match unknown.last() {
        None => Ok(()),
        Some(newest) => Err(DbSetupError::NewerSchema {
            found: newest.clone(),
            known: known.iter().max().cloned().unwrap_or_default(),
        }),
    }
}

pub fn write_transaction<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::TransactionManagerStatus;
    let nested =
        match <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn) {
            TransactionManagerStatus::Valid(status) => status.transaction_depth().is_some(),
            TransactionManagerStatus::InError => false,
        };
    match conn {
        // Inside a transaction already (a write unit around a service that writes in steps),
        // a savepoint: the outer transaction holds the write lock.
        DbConn::Sqlite(c) if nested => AnsiTransactionManager::begin_transaction(c)?,
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

/// Takes a lock named by `key` until the transaction ends, so that writers of one logical thing
/// (an idempotency key) queue instead of racing. SQLite needs none: `BEGIN IMMEDIATE` already
/// lets one writer in at a time.
pub fn lock_key(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(c) => diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(c)
            .map(|_| ()),
    }
}

/// Raw SQL written with PostgreSQL's `$1, $2, …` placeholders, for the backend at hand (SQLite
/// reads `?NNN` as the same numbered parameter).
/// Takes PostgreSQL's session-level advisory lock `key` on this connection if no other session
/// holds it; always true on SQLite (one process). Held until [`session_unlock`] or the
/// connection closes.
pub fn try_session_lock(conn: &mut DbConn, key: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    match conn {
        DbConn::Sqlite(_) => Ok(true),
        DbConn::Postgres(c) => diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .get_result::<Locked>(c)
            .map(|l| l.locked),
    }
}

/// Gives back a lock taken by [`try_session_lock`] on this same connection.
pub fn session_unlock(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(c) => diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(c)
            .map(drop),
    }
}

pub(crate) fn placeholders<C: 'static>(_conn: &C, sql: &str) -> String {
    if std::any::TypeId::of::<C>() == std::any::TypeId::of::<diesel::SqliteConnection>() {
        sql.replace('$', "?")
    } else {
        sql.to_owned()
    }
}

/// Refreshes the query planner's statistics, so that it picks the indexes that fit (SQLite never
/// gathers them on its own). Cheap: SQLite's `optimize` only analyses what changed a lot.
pub fn optimize(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => c.batch_execute("PRAGMA analysis_limit = 1000; PRAGMA optimize;"),
        DbConn::Postgres(c) => c.batch_execute("ANALYZE"),
    }
}

/// A table's secondary indexes (and, on SQLite, triggers), dropped for a bulk load into an empty
/// table and created again afterwards from their own stored definitions: building an index
/// once over a million sorted rows is far cheaper than keeping it up to date row by row. Run
/// both halves in one transaction, so that a failure restores everything.
pub struct SuspendedIndexes {
    definitions: Vec<String>,
}

/// Drops `table`'s secondary indexes (constraint indexes stay) and SQLite triggers.
pub fn suspend_indexes(conn: &mut DbConn, table: &str) -> QueryResult<SuspendedIndexes> {
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Definition {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        definition: String,
    }
    let sql = match conn {
        DbConn::Sqlite(_) => format!(
            "SELECT name, type AS kind, sql AS definition FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND tbl_name = '{table}' AND sql IS NOT NULL"
        ),
        DbConn::Postgres(_) => format!(
            "SELECT indexname::text AS name, 'index' AS kind, indexdef::text AS definition \
             FROM pg_indexes WHERE tablename = '{table}' AND indexname NOT IN \
             (SELECT conname FROM pg_constraint)"
        ),
    };
    let found: Vec<Definition> = diesel::sql_query(sql).load(conn)?;
    for item in &found {
        conn.batch_execute(&format!("DROP {} {}", item.kind.to_uppercase(), item.name))?;
    }
    Ok(SuspendedIndexes {
        definitions: found.into_iter().map(|d| d.definition).collect(),
    })
}

/// Creates the suspended indexes and triggers again.
pub fn restore_indexes(conn: &mut DbConn, suspended: SuspendedIndexes) -> QueryResult<()> {
    for definition in suspended.definitions {
        conn.batch_execute(&definition)?;
    }
    Ok(())
}

/// Lets this connection keep a large bulk load in memory (SQLite's page cache is 2 MB by
/// default; PostgreSQL sorts for index builds in 64 MB by default).
pub fn prepare_bulk_load(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            c.batch_execute("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;")
        }
        // Index builds after the load sort a million rows: give them memory for this
        // transaction only.
        DbConn::Postgres(c) => c.batch_execute("SET LOCAL maintenance_work_mem = '256MB'"),
    }
}

/// Readies a connection of its own for the wall's publisher: on SQLite SQLite's default 2 MiB
/// page cache. A build reads about 5 MiB (donors, pledges, the window of gifts and costs at
/// 10,000 donors and a million entries); holding all of it would save about 3 ms of reads from
/// the OS's cache per build, not worth 3 more MiB resident for good.
pub fn prepare_for_publishing(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => c.batch_execute("PRAGMA cache_size = -2048"),
        DbConn::Postgres(_) => Ok(()),
    }
}

/// Marks a freshly loaded PostgreSQL database's pages all-visible (VACUUM), so that index-only
/// scans need not visit the table; outside any transaction. SQLite needs nothing.
pub fn after_bulk_load(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(c) => c.batch_execute("VACUUM"),
    }
}

/// Gathers full statistics after a bulk load (demo data).
pub fn analyze(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("ANALYZE")
}

/// A cheap round trip, for health checks.
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

/// True when the error is a unique-constraint violation (a replayed external reference).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The current time as Coffer stores it: UTC, truncated to microseconds (PostgreSQL's precision).
pub fn now() -> chrono::NaiveDateTime {
    truncate_to_micros(chrono::Utc::now().naive_utc())
}

/// Truncates a timestamp to microseconds so both backends store and return the same value.
pub fn truncate_to_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let nanos = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(nanos).unwrap_or(t)
}

/// Describes the tables and columns of the schema, for the test that both backends agree.
pub fn describe_columns(conn: &mut DbConn) -> QueryResult<Vec<(String, String, bool)>> {
    use diesel::sql_types::{Bool, Text};
    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
        #[diesel(sql_type = Bool)]
        nullable: bool,
    }
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, \
             (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations'"
        }
        DbConn::Postgres(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             (is_nullable = 'YES') AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
    };
    let mut rows: Vec<(String, String, bool)> = diesel::sql_query(sql)
        .load::<Column>(conn)?
        .into_iter()
        .map(|c| (c.table_name, c.column_name, c.nullable))
        .collect();
    rows.sort();
    Ok(rows)
}
