//! `coffer backup FILE` and `coffer restore FILE [--force]`.
//!
//! SQLite: the backup is `VACUUM INTO` a new file next to the target, renamed into place once
//! complete: one consistent snapshot, taken while the server keeps serving and writing (WAL lets
//! writers go on during the read). The restore copies a backup into `COFFER_DATABASE_URL`'s
//! file the same way, after checking the backup and refusing to replace a database that holds
//! data unless told to.
//!
//! PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, the server keeps writing) and
//! `pg_restore --clean --if-exists`, run with the database URL; both come with PostgreSQL's
//! client tools.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::db::{self, maintenance, DatabaseUrl};

/// Why a backup or restore did not happen, said in one line.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file name (a backup never overwrites one)")]
    Exists(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("{path} is not a Coffer database: {why}")]
    NotCoffer { path: String, why: String },
    #[error("the database at {target} holds {entries} ledger entries, {donors} donors, {tiers} tiers and {admins} console accounts; restoring would replace them. Back it up first, stop the server, then run again with --force")]
    NotEmpty {
        target: String,
        entries: i64,
        donors: i64,
        tiers: i64,
        admins: i64,
    },
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("{0}")]
    Database(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl From<diesel::result::Error> for BackupError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Database(err.to_string())
    }
}

impl From<db::DbSetupError> for BackupError {
    fn from(err: db::DbSetupError) -> Self {
        Self::Database(err.to_string())
    }
}

/// What a finished backup or restore holds, for the one line the command prints.
#[derive(Debug, Clone)]
pub struct Copied {
    pub path: String,
    pub contents: maintenance::Contents,
    pub bytes: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A sibling path for the file being written, renamed into place when complete.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes a consistent copy of the database at `url` to `file`, which must not exist.
pub fn backup(url: &DatabaseUrl, file: &Path) -> Result<Copied, BackupError> {
    if file.exists() {
        return Err(BackupError::Exists(file.display().to_string()));
    }
    match url {
        DatabaseUrl::Sqlite(_) => {
            let mut conn = db::connect(url)?;
            let contents = maintenance::contents(&mut conn)?;
            let partial = partial(file);
            // A partial file left by an interrupted backup is ours to replace.
            let _ = std::fs::remove_file(&partial);
            maintenance::sqlite_copy_into(&mut conn, &partial.to_string_lossy())?;
            std::fs::rename(&partial, file).map_err(io(file))?;
            // The snapshot was read in one transaction; count what it holds from the copy.
            let contents = counted(file).unwrap_or(contents);
            Ok(Copied {
                path: file.display().to_string(),
                contents,
                bytes: std::fs::metadata(file).map_err(io(file))?.len(),
            })
        }
        DatabaseUrl::Postgres(database) => {
            let mut conn = db::connect(url)?;
            let contents = maintenance::contents(&mut conn)?;
            let partial = partial(file);
            run_tool(
                "pg_dump",
                Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--file")
                    .arg(&partial)
                    .arg(database),
            )?;
            std::fs::rename(&partial, file).map_err(io(file))?;
            Ok(Copied {
                path: file.display().to_string(),
                contents,
                bytes: std::fs::metadata(file).map_err(io(file))?.len(),
            })
        }
    }
}

fn counted(file: &Path) -> Option<maintenance::Contents> {
    let url = DatabaseUrl::Sqlite(file.to_owned());
    let mut conn = db::connect(&url).ok()?;
    maintenance::contents(&mut conn).ok()
}

/// Replaces the database at `url` with the backup in `file`: refused when the database holds
/// data, unless `force`. The server must be stopped meanwhile.
pub fn restore(url: &DatabaseUrl, file: &Path, force: bool) -> Result<Copied, BackupError> {
    if !file.exists() {
        return Err(BackupError::Missing(file.display().to_string()));
    }
    let target_contents = target_contents(url)?;
    if let Some(contents) = target_contents.filter(|c| !c.is_empty() && !force) {
        return Err(BackupError::NotEmpty {
            target: describe(url),
            entries: contents.ledger_entries,
            donors: contents.donors,
            tiers: contents.tiers,
            admins: contents.admins,
        });
    }
    match url {
        DatabaseUrl::Sqlite(target) => {
            let source_url = DatabaseUrl::Sqlite(file.to_owned());
            let mut source = db::connect(&source_url)?;
            let not_coffer = |why: String| BackupError::NotCoffer {
                path: file.display().to_string(),
                why,
            };
            if !maintenance::has_ledger(&mut source)? {
                return Err(not_coffer("it has no ledger table".to_owned()));
            }
            let verdict = maintenance::integrity_check(&mut source)?;
            if verdict != ["ok"] {
                return Err(not_coffer(format!(
                    "its integrity check says {}",
                    verdict.join("; ")
                )));
            }
            let contents = maintenance::contents(&mut source)?;
            let partial = partial(target);
            let _ = std::fs::remove_file(&partial);
            maintenance::sqlite_copy_into(&mut source, &partial.to_string_lossy())?;
            drop(source);
            // The old file's write-ahead log belongs to the old database: it must not be
            // replayed into the restored one.
            for suffix in ["-wal", "-shm"] {
                let mut side = target.as_os_str().to_os_string();
                side.push(suffix);
                let side = PathBuf::from(side);
                if side.exists() {
                    std::fs::remove_file(&side).map_err(io(&side))?;
                }
            }
            std::fs::rename(&partial, target).map_err(io(target))?;
            Ok(Copied {
                path: target.display().to_string(),
                contents,
                bytes: std::fs::metadata(target).map_err(io(target))?.len(),
            })
        }
        DatabaseUrl::Postgres(database) => {
            run_tool(
                "pg_restore",
                Command::new("pg_restore")
                    .arg("--clean")
                    .arg("--if-exists")
                    .arg("--no-owner")
                    .arg("--single-transaction")
                    .arg("--exit-on-error")
                    .arg("--dbname")
                    .arg(database)
                    .arg(file),
            )?;
            let mut conn = db::connect(url)?;
            let contents = maintenance::contents(&mut conn)?;
            Ok(Copied {
                path: describe(url),
                contents,
                bytes: std::fs::metadata(file).map_err(io(file))?.len(),
            })
        }
    }
}

/// What the target holds now; `None` when there is no such database or it was never migrated.
fn target_contents(url: &DatabaseUrl) -> Result<Option<maintenance::Contents>, BackupError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if !path.exists() {
            return Ok(None);
        }
    }
    let mut conn = db::connect(url)?;
    if !maintenance::has_ledger(&mut conn)? {
        return Ok(None);
    }
    Ok(Some(maintenance::contents(&mut conn)?))
}

/// The database as a person names it: the file, or the URL without its password.
fn describe(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(database) => crate::ops::redact_url(database),
    }
}

fn run_tool(tool: &'static str, command: &mut Command) -> Result<(), BackupError> {
    let output = command.output().map_err(|e| BackupError::Tool {
        tool,
        message: format!(
            "{e} (install PostgreSQL's client tools, e.g. `apt-get install postgresql-client`)"
        ),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    Err(BackupError::Tool {
        tool,
        message: first.to_owned(),
    })
}
