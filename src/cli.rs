//! The command line: `coffer serve [--demo]`, `migrate`, `demo`, `token create|list|revoke`,
//! `outbox status`, `receipts annual --year Y`, `admin create|list|disable`,
//! `export ledger|donors [--year Y]`, `backup FILE`, `restore FILE [--force]`, `check`,
//! `config check`.
//! Every failure ends with one readable line on stderr and a non-zero exit.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::AppError;
use crate::startup::{self, Application};

/// Coffer: who funds this fediverse instance, in public.
#[derive(Debug, Parser)]
#[command(name = "coffer", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database and serve the wall, the donation flow and the API (the default).
    Serve {
        /// Seed demo data first, if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed demo tiers, donors, pledges, donations and costs into an empty database.
    Demo {
        /// How many demo donors to create.
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        donors: u32,
        /// Seed a history of about this many ledger entries, written in bulk (a large instance:
        /// `--donors 10000 --entries 1000000`).
        #[arg(long, value_parser = clap::value_parser!(u32).range(100..=20_000_000))]
        entries: Option<u32>,
    },
    /// Print the ledger's size and how long the public wall takes to build from it.
    Stats,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The mail outbox.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Receipts and annual statements.
    Receipts {
        #[command(subcommand)]
        command: ReceiptsCommand,
    },
    /// Write the ledger or the donors as CSV to stdout (stable column names: see docs/using.md).
    Export {
        /// What to export.
        #[arg(value_parser = ["ledger", "donors"])]
        what: String,
        /// Only this calendar year (by when the money moved); all time without it.
        #[arg(long, value_parser = clap::value_parser!(i32).range(1970..=9998))]
        year: Option<i32>,
    },
    /// Import a platform's export (see docs/import.md): every row is checked first, and a
    /// refused row imports nothing.
    Import {
        /// The export's format.
        #[arg(value_parser = ["patreon", "opencollective", "liberapay", "kofi", "github-sponsors", "csv"])]
        format: String,
        /// The CSV file.
        file: std::path::PathBuf,
        /// Report what would be created, updated and skipped, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Manage console accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Write a consistent copy of the database to FILE while the server keeps serving
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump --format=custom).
    Backup {
        /// The new file; an existing one is never overwritten.
        file: std::path::PathBuf,
    },
    /// Replace the database with a backup (stop the server first). Refused when the database
    /// holds data, unless --force.
    Restore {
        /// A file written by `coffer backup`.
        file: std::path::PathBuf,
        /// Replace a database that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Verify the database: integrity, append-only triggers, reversal bounds, gap-free receipt
    /// numbers, and the running server's wall against a fresh build. One line per problem;
    /// exits non-zero when there is any.
    Check,
    /// Stripe: bring in what the webhooks missed.
    Stripe {
        #[command(subcommand)]
        command: StripeCommand,
    },
    /// Write a new Ed25519 key that signs the ledger's checkpoints to FILE (default:
    /// COFFER_SIGNING_KEY_FILE) and its public key to FILE.pub; an existing file is never
    /// overwritten. Keep the key as a file, never in the database.
    Keygen {
        /// Where to write the key.
        file: Option<std::path::PathBuf>,
    },
    /// Sign a checkpoint of the ledger's Merkle log now, with COFFER_SIGNING_KEY_FILE (the
    /// server signs one at the end of each month by itself).
    Checkpoint,
    /// Verify the books (see docs/verify.md): every checkpoint's signature and the consistency
    /// proofs between them (--checkpoints), or the whole tree recomputed from the database's
    /// rows against every checkpoint (--database). One line per failure; non-zero when any.
    Verify {
        /// The checkpoints document: a URL (https://…/.well-known/coffer/checkpoints.json, or
        /// http://) or a file.
        #[arg(long, required_unless_present = "database")]
        checkpoints: Option<String>,
        /// The instance's public key: 64 hex characters, or a file holding them (e.g. the
        /// `.pub` file of `coffer keygen`, or /.well-known/coffer/ledger-key saved).
        #[arg(long)]
        key: Option<String>,
        /// Recompute the tree from COFFER_DATABASE_URL's rows.
        #[arg(long)]
        database: bool,
    },
    /// Verify that the donation a receipt (an .eml file) describes is in a signed checkpoint:
    /// its proof is fetched from the link the receipt names, or read from --proof.
    VerifyReceipt {
        /// The receipt's mail as an .eml file.
        file: std::path::PathBuf,
        /// The instance's public key: 64 hex characters, or a file holding them.
        #[arg(long)]
        key: String,
        /// The proof as a file (the JSON of /api/v1/ledger/proof/{number}) instead of fetching.
        #[arg(long)]
        proof: Option<std::path::PathBuf>,
    },
    /// The configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
enum StripeCommand {
    /// Apply every event in Stripe's event list (it keeps 30 days) that was not applied yet,
    /// through the webhook's exactly-once path; running it again changes nothing.
    Sync {
        /// Only events from this day on (YYYY-MM-DD, UTC).
        #[arg(long, value_parser = parse_day)]
        since: Option<chrono::NaiveDate>,
    },
}

fn parse_day(value: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("“{value}” is not a day like 2026-11-01"))
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (secrets redacted) and name what is inconsistent;
    /// exits non-zero when anything is.
    Check,
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Queued, failed and sent counts, and where mail goes (SMTP or .eml files).
    Status,
}

#[derive(Debug, Subcommand)]
enum ReceiptsCommand {
    /// Queue each donor's statement of a year (their receipts and credit notes, net total per
    /// currency); a donor already sent that year's statement gets nothing new. The running
    /// server's mail worker sends them.
    Annual {
        /// The year, e.g. 2026.
        #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=9999))]
        year: i32,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a console account; its password (12 characters or more) is read from stdin.
    Create {
        /// The address the account signs in with.
        email: String,
        /// `treasurer` reads and writes; `viewer` only reads.
        #[arg(long, default_value = "treasurer", value_parser = ["treasurer", "viewer"])]
        role: String,
    },
    /// List console accounts: id, email, role, created, disabled.
    List,
    /// Disable an account at once: its sessions end and it can no longer sign in.
    Disable {
        /// The account's email.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token and print it once; only its hash is stored.
    Create {
        /// A name to recognise the token by, e.g. "bookkeeping script".
        name: String,
    },
    /// List API tokens: id, name, created, revoked.
    List,
    /// Revoke the live tokens with this name, at once; audited.
    Revoke {
        /// The name given at creation.
        name: String,
    },
}

/// Why a command failed; printed as one line.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Startup(#[from] startup::StartupError),
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{0}")]
    Refused(String),
    #[error("server stopped: {0}")]
    Server(#[from] std::io::Error),
    #[error(transparent)]
    Backup(#[from] crate::ops::backup::BackupError),
    /// Problems already printed, one per line; the count closes the output.
    #[error("{0}")]
    Found(String),
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            // clap's own message is several lines; keep its first, which names the problem.
            let rendered = err.to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let first = first.trim_start_matches("error: ");
            eprintln!("coffer: {first} (see coffer --help)");
            return ExitCode::from(2);
        }
    };
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("coffer: {err}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_web=info"));
    // Each request runs in a span carrying its id, route and status (tracing-actix-web); logging
    // the span's close gives one line per request with all of them.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .try_init();
}

fn run(cli: Cli) -> Result<(), CliError> {
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(settings, demo),
        Command::Migrate => {
            migrated_connection(&settings)?;
            println!(
                "database is up to date ({})",
                settings.database_url.backend_name()
            );
            Ok(())
        }
        Command::Demo { donors, entries } => {
            let mut conn = migrated_connection(&settings)?;
            let started = std::time::Instant::now();
            let seeded = match entries {
                Some(entries) => crate::demo::seed_at_scale(
                    &mut conn,
                    settings.currency,
                    donors as usize,
                    entries as usize,
                    db::now(),
                )?
                .map(|s| s.to_string()),
                None => seed_demo(&mut conn, &settings, donors as usize)?,
            };
            let summary = seeded.ok_or_else(|| {
                CliError::Refused(
                    "the database already has tiers or donors; demo data only goes into an empty database"
                        .to_owned(),
                )
            })?;
            println!("{summary} in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Stats => {
            let mut conn = migrated_connection(&settings)?;
            // The connection as the server's publisher has it.
            db::prepare_for_publishing(&mut conn).map_err(AppError::from)?;
            let donors = db::donors::count(&mut conn).map_err(AppError::from)?;
            let entries = db::ledger::count(&mut conn).map_err(AppError::from)?;
            // The median of five builds: the first warms the database's cache. This thread's
            // CPU time is shown too: on a busy machine it varies far less than the elapsed time
            // (on PostgreSQL the server's own work is not in it).
            let mut times = Vec::new();
            let mut cpu_times = Vec::new();
            let mut sponsors = 0;
            for _ in 0..5 {
                let started = std::time::Instant::now();
                let cpu_started = crate::memory::thread_cpu_time();
                let wall = crate::ledger::wall::build(&mut conn, settings.currency, db::now())?;
                times.push(started.elapsed());
                cpu_times.push(crate::memory::thread_cpu_time().saturating_sub(cpu_started));
                sponsors = wall.sponsor_count();
            }
            times.sort();
            cpu_times.sort();
            println!(
                "{donors} donors, {entries} ledger entries, {sponsors} named sponsors; the wall builds in {:.1} ms (median of 5; {:.1} ms of CPU in this process)",
                times[2].as_secs_f64() * 1000.0,
                cpu_times[2].as_secs_f64() * 1000.0
            );
            Ok(())
        }
        Command::Admin { command } => admin_command(&settings, command),
        Command::Keygen { file } => {
            let file = file
                .or_else(|| settings.signing_key_file.clone())
                .ok_or_else(|| {
                    CliError::Refused(
                        "name the key file, or set COFFER_SIGNING_KEY_FILE".to_owned(),
                    )
                })?;
            let public = crate::ledger::log::InstanceKey::generate(&file)?;
            eprintln!(
                "Wrote the signing key to {} and its public key to {}.pub; publish the public key:",
                file.display(),
                file.display()
            );
            println!("{}", hex::encode(public.as_bytes()));
            Ok(())
        }
        Command::Checkpoint => {
            let key = signing_key(&settings)?;
            let mut conn = migrated_connection(&settings)?;
            let reply = crate::ledger::write::WriteUnit::default().apply(
                &mut conn,
                crate::ledger::write::Actor::System("checkpoint"),
                "ledger.checkpoint",
                None,
                |conn| {
                    let checkpoint = crate::ledger::log::sign_checkpoint(conn, &key, db::now())?;
                    Ok(crate::ledger::write::Recorded {
                        status: 201,
                        subject: format!("checkpoint:{}", checkpoint.tree_size),
                        body: serde_json::to_value(&checkpoint)
                            .map_err(|e| AppError::Internal(e.to_string()))?,
                        detail: None,
                    })
                },
            )?;
            println!("{}", reply.body);
            Ok(())
        }
        Command::Verify {
            checkpoints,
            key,
            database,
        } => verify(&settings, checkpoints, key, database),
        Command::VerifyReceipt { file, key, proof } => verify_receipt(&file, &key, proof),
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            let copied = crate::ops::backup::backup(&settings.database_url, &file)?;
            println!(
                "backed up {} ledger entries, {} donors and {} receipts to {} ({:.1} MiB) in {:.1} s",
                copied.contents.ledger_entries,
                copied.contents.donors,
                copied.contents.receipts,
                copied.path,
                copied.bytes as f64 / (1024.0 * 1024.0),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file, force } => {
            let copied = crate::ops::backup::restore(&settings.database_url, &file, force)?;
            // A backup from an older Coffer is brought up to this one's schema now.
            migrated_connection(&settings)?;
            println!(
                "restored {} ledger entries, {} donors and {} receipts into {}",
                copied.contents.ledger_entries,
                copied.contents.donors,
                copied.contents.receipts,
                copied.path
            );
            Ok(())
        }
        Command::Check => {
            let mut conn = migrated_connection(&settings)?;
            let report = crate::ops::check::run(&mut conn, &settings)?;
            for note in &report.notes {
                eprintln!("checked: {note}");
            }
            for problem in &report.problems {
                println!("{problem}");
            }
            match report.problems.len() {
                0 => {
                    eprintln!("coffer check: no problems found");
                    Ok(())
                }
                n => Err(CliError::Found(format!("check found {n} problem(s)"))),
            }
        }
        Command::Stripe {
            command: StripeCommand::Sync { since },
        } => stripe_sync(&settings, since),
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            for (name, value) in crate::ops::effective_configuration(&settings) {
                println!("{name} = {value}");
            }
            // Console accounts matter to one rule; a database that cannot be opened yet is
            // not a configuration problem of its own here.
            let admins = db::connect(&settings.database_url)
                .ok()
                .and_then(|mut conn| db::admins::count(&mut conn).ok())
                .unwrap_or(0);
            let problems = crate::ops::inconsistencies(&settings, admins);
            for problem in &problems {
                println!("problem: {problem}");
            }
            match problems.len() {
                0 => Ok(()),
                n => Err(CliError::Found(format!(
                    "the configuration has {n} problem(s)"
                ))),
            }
        }
        Command::Import {
            format,
            file,
            dry_run,
        } => {
            let mut conn = migrated_connection(&settings)?;
            let report = crate::import::command::import(&mut conn, &format, &file, dry_run)
                .map_err(|e| CliError::Refused(e.to_string()))?;
            print!("{report}");
            Ok(())
        }
        Command::Export { what, year } => {
            use std::io::Write;
            let mut conn = migrated_connection(&settings)?;
            let csv = match what.as_str() {
                "donors" => crate::reports::export::donors_csv(&mut conn, settings.currency, year)?,
                _ => crate::reports::export::ledger_csv(&mut conn, year)?,
            };
            std::io::stdout().write_all(&csv)?;
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { name },
        } => {
            let mut conn = migrated_connection(&settings)?;
            let token = crate::ledger::tokens::create(&mut conn, &name)?;
            eprintln!(
                "Created API token “{}”. It is shown only this once:",
                name.trim()
            );
            println!("{token}");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::List,
        } => {
            let mut conn = migrated_connection(&settings)?;
            let tokens = crate::ledger::tokens::list(&mut conn)?;
            println!("id\tname\tcreated\trevoked");
            for token in tokens {
                let revoked = token.revoked_at.map_or_else(
                    || "-".to_owned(),
                    |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                );
                println!(
                    "{}\t{}\t{}\t{revoked}",
                    token.id,
                    token.name,
                    token.created_at.format("%Y-%m-%dT%H:%M:%SZ")
                );
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { name },
        } => {
            let mut conn = migrated_connection(&settings)?;
            let revoked = db::write_transaction(&mut conn, |conn| {
                crate::ledger::tokens::revoke(
                    conn,
                    &name,
                    crate::ledger::write::Actor::System("cli"),
                )
            })?;
            eprintln!(
                "Revoked {} API token(s) named “{}”.",
                revoked.len(),
                name.trim()
            );
            Ok(())
        }
        Command::Outbox {
            command: OutboxCommand::Status,
        } => {
            let mut conn = migrated_connection(&settings)?;
            let status = crate::mail::status(&mut conn, &settings)?;
            println!("queued\t{}", status.queued);
            println!("failed\t{}", status.failed);
            println!("sent\t{}", status.sent.unwrap_or(0));
            match status.transport {
                "smtp" => println!("transport\tsmtp"),
                _ => println!(
                    "transport\tfiles (COFFER_SMTP_URL is not set: messages are written as .eml files under data/outbox/)"
                ),
            }
            Ok(())
        }
        Command::Receipts {
            command: ReceiptsCommand::Annual { year },
        } => {
            let mut conn = migrated_connection(&settings)?;
            let instance = crate::mail::render::Instance {
                name: settings.instance_name.clone(),
            };
            let run = crate::mail::statements::queue_annual(&mut conn, &instance, year)?;
            println!(
                "{year}: queued {} statement(s); {} already sent; {} donor(s) without an email address",
                run.queued, run.already_sent, run.without_email
            );
            Ok(())
        }
    }
}

fn admin_command(settings: &Settings, command: AdminCommand) -> Result<(), CliError> {
    use crate::ledger::admins;
    use crate::ledger::write::{Actor, Recorded, WriteUnit};
    let audited = |subject: String, detail: String| Recorded {
        status: 200,
        body: serde_json::Value::Null,
        subject,
        detail: Some(detail),
    };
    match command {
        AdminCommand::Create { email, role } => {
            let role =
                crate::domain::Role::parse(&role).map_err(|e| CliError::Refused(e.to_string()))?;
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            let hash = admins::hash_password(password)?;
            let mut conn = migrated_connection(settings)?;
            let mut created = None;
            WriteUnit::default().apply(
                &mut conn,
                Actor::System("cli"),
                "admin.create",
                None,
                |conn| {
                    let admin = admins::create(conn, &email, role, &hash)?;
                    let recorded = audited(
                        format!("admin:{}", admin.id),
                        format!("{} as {role}", admin.email),
                    );
                    created = Some(admin);
                    Ok(recorded)
                },
            )?;
            if let Some(admin) = created {
                eprintln!(
                    "Created {} account {} ({}).",
                    admin.role, admin.email, admin.id
                );
            }
            if settings.console_key().is_err() {
                eprintln!(
                    "Set COFFER_SECRET_KEY to 32 or more random bytes before serving: the console needs it."
                );
            }
            Ok(())
        }
        AdminCommand::List => {
            let mut conn = migrated_connection(settings)?;
            println!("id\temail\trole\tcreated\tdisabled");
            for admin in admins::list(&mut conn)? {
                let disabled = admin.disabled_at.map_or_else(
                    || "-".to_owned(),
                    |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                );
                println!(
                    "{}\t{}\t{}\t{}\t{disabled}",
                    admin.id,
                    admin.email,
                    admin.role,
                    admin.created_at.format("%Y-%m-%dT%H:%M:%SZ")
                );
            }
            Ok(())
        }
        AdminCommand::Disable { email } => {
            let mut conn = migrated_connection(settings)?;
            WriteUnit::default().apply(
                &mut conn,
                Actor::System("cli"),
                "admin.disable",
                None,
                |conn| {
                    let admin = admins::disable(conn, &email)?;
                    Ok(audited(format!("admin:{}", admin.id), admin.email))
                },
            )?;
            eprintln!("Disabled {}; its sessions have ended.", email.trim());
            Ok(())
        }
    }
}

fn stripe_sync(settings: &Settings, since: Option<chrono::NaiveDate>) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let key = settings.stripe_secret_key.as_deref().ok_or_else(|| {
        CliError::Refused(
            "COFFER_STRIPE_SECRET_KEY is not set: there is no Stripe account to read".to_owned(),
        )
    })?;
    let api = crate::payments::stripe::Api::new(key, settings.stripe_api_base.as_deref())
        .map_err(|e| CliError::Refused(e.to_string()))?;
    let pool = startup::prepare_database(settings)?;
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp());
    let on_terminal = std::io::stderr().is_terminal();
    let mut progress = move |read: usize| {
        if on_terminal {
            eprint!("\rread {read} events from Stripe…");
        }
    };
    let synced = actix_web::rt::System::new().block_on(async {
        crate::payments::stripe::sync::sync(
            &api,
            &pool,
            &crate::ledger::write::WriteUnit::default(),
            since,
            &mut progress,
        )
        .await
    });
    if on_terminal {
        eprintln!();
    }
    let synced = synced.map_err(|e| CliError::Refused(e.to_string()))?;
    println!("{synced}");
    Ok(())
}

fn migrated_connection(settings: &Settings) -> Result<DbConn, CliError> {
    let mut conn = db::connect(&settings.database_url)?;
    startup::migrate(&mut conn, settings)?;
    Ok(conn)
}

fn seed_demo(
    conn: &mut DbConn,
    settings: &Settings,
    donors: usize,
) -> Result<Option<String>, CliError> {
    let seeded = db::write_transaction(conn, |conn| {
        crate::demo::seed_if_empty(conn, settings.currency, donors, db::now())
    })?;
    Ok(seeded.map(|s| s.to_string()))
}

fn serve(settings: Settings, demo: bool) -> Result<(), CliError> {
    let pool = startup::prepare_database(&settings)?;
    if demo {
        let mut conn = pool.get().map_err(db::DbSetupError::from)?;
        match seed_demo(&mut conn, &settings, 40)? {
            Some(summary) => tracing::info!("{summary}"),
            None => tracing::info!("the database is not empty; demo data was not added"),
        }
    }
    let public_url = settings.public_url.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build_with_pool(settings, pool)?;
        tracing::info!("Coffer is serving the sponsor wall at {public_url}/");
        app.run_until_stopped().await?;
        Ok(())
    })
}

/// The signing key named by COFFER_SIGNING_KEY_FILE.
fn signing_key(settings: &Settings) -> Result<crate::ledger::log::InstanceKey, CliError> {
    let file = settings.signing_key_file.as_ref().ok_or_else(|| {
        CliError::Refused(
            "COFFER_SIGNING_KEY_FILE is not set (make a key with `coffer keygen FILE`)".to_owned(),
        )
    })?;
    Ok(crate::ledger::log::InstanceKey::read(file)?)
}

/// Prints each problem on its own line; an error naming their count when there is any.
fn found(problems: &[String], what: &str) -> Result<(), CliError> {
    for problem in problems {
        println!("{problem}");
    }
    match problems.len() {
        0 => Ok(()),
        n => Err(CliError::Found(format!("{what}: {n} problem(s)"))),
    }
}

fn verify(
    settings: &Settings,
    checkpoints: Option<String>,
    key: Option<String>,
    database: bool,
) -> Result<(), CliError> {
    use crate::verify;
    let key = match key {
        Some(key) => Some(verify::read_public_key(&key).map_err(CliError::Refused)?),
        None => None,
    };
    if let Some(source) = checkpoints {
        let key = key.ok_or_else(|| {
            CliError::Refused("--checkpoints needs the instance's public key (--key)".to_owned())
        })?;
        let bytes = verify::read_source(&source).map_err(CliError::Refused)?;
        let list: verify::format::CheckpointList = serde_json::from_slice(&bytes).map_err(|e| {
            CliError::Refused(format!("{source} is not a checkpoints document: {e}"))
        })?;
        let problems = verify::check_checkpoints(&list, &key);
        found(&problems, "verify")?;
        eprintln!(
            "verified {} checkpoint(s): every signature and every consistency proof holds",
            list.checkpoints.len()
        );
    }
    if database {
        let key = match (key, &settings.signing_key_file) {
            (Some(key), _) => Some(key),
            (None, Some(_)) => {
                let public = signing_key(settings)?.public_hex();
                verify::format::parse_public_key(&public).ok()
            }
            (None, None) => None,
        };
        let mut conn = migrated_connection(settings)?;
        let report = crate::ledger::log::recompute(&mut conn, key.as_ref())?;
        found(&report.problems, "verify --database")?;
        eprintln!(
            "recomputed {} leaves: the ledger's rows match the log and its {} checkpoint(s)",
            report.size, report.checkpoints
        );
    }
    Ok(())
}

fn verify_receipt(
    file: &std::path::Path,
    key: &str,
    proof: Option<std::path::PathBuf>,
) -> Result<(), CliError> {
    use crate::verify;
    let key = verify::read_public_key(key).map_err(CliError::Refused)?;
    let eml = std::fs::read(file)?;
    let link = verify::proof_link_in_mail(&eml).map_err(CliError::Refused)?;
    let bytes = match &proof {
        Some(path) => std::fs::read(path)?,
        None => verify::http_get(&link).map_err(CliError::Refused)?,
    };
    let proof: verify::format::InclusionProof = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Refused(format!("the proof is not a Coffer inclusion proof: {e}"))
    })?;
    let mut problems = Vec::new();
    if !link.ends_with(&format!("/{}", proof.receipt)) {
        problems.push(format!(
            "the proof is for receipt {}, not the one the mail links to ({link})",
            proof.receipt
        ));
    }
    let entry = match verify::check_inclusion(&proof, &key) {
        Ok(entry) => Some(entry),
        Err(more) => {
            problems.extend(more);
            None
        }
    };
    found(&problems, "verify-receipt")?;
    if let Some(entry) = entry {
        println!(
            "receipt {}: entry {} ({} {} {}, {}) is leaf {} of checkpoint {} signed {}",
            proof.receipt,
            entry.entry_id,
            entry.kind,
            entry.amount,
            entry.currency,
            entry.occurred_at,
            proof.leaf_index,
            proof.checkpoint.tree_size,
            proof.checkpoint.signed_at
        );
    }
    Ok(())
}
