//! `coffer import FORMAT FILE [--dry-run]`: the report on stdout, a progress line on stderr
//! when it is a terminal, and nothing else.

use std::io::IsTerminal;
use std::path::Path;

use super::{run, Format, ImportError, ImportFile, Progress, Report};
use crate::db::DbConn;
use crate::ledger::write::{Actor, WriteUnit};

/// A progress line on a terminal.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn pass(&self, name: &'static str, total_bytes: u64) {
        self.0.reset();
        self.0.set_length(total_bytes);
        self.0.set_message(name);
    }
    fn at(&self, bytes: u64) {
        self.0.set_position(bytes);
    }
    fn done(&self) {
        self.0.set_position(self.0.length().unwrap_or(0));
    }
}

/// Imports `path` from the command line.
pub fn import(
    conn: &mut DbConn,
    format: &str,
    path: &Path,
    dry_run: bool,
) -> Result<Report, ImportError> {
    let format = Format::parse(format)?;
    let file = ImportFile {
        format,
        path,
        name: path.display().to_string(),
    };
    let writes = WriteUnit::default();
    let report = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let progress = Bar(bar);
        let report = run(
            conn,
            &writes,
            Actor::System("cli"),
            &file,
            dry_run,
            &progress,
        );
        progress.0.finish_and_clear();
        report
    } else {
        run(
            conn,
            &writes,
            Actor::System("cli"),
            &file,
            dry_run,
            &super::Silent,
        )
    }?;
    Ok(report)
}
