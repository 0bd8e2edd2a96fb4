//! The `coffer` binary: parse the command line, load settings, run.

use std::process::ExitCode;

fn main() -> ExitCode {
    coffer::memory::limit_arenas();
    coffer::cli::main()
}
