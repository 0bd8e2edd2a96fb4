//! The real `coffer` binary as an operator runs it: a child process with its environment, its
//! log on stderr (kept in a file the test reads), signals, and exit codes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for these tests.
pub fn coffer_bin() -> &'static str {
    env!("CARGO_BIN_EXE_coffer")
}

/// An environment for the binary: a working folder (no stray `.env`) and `COFFER_*` variables.
#[derive(Clone)]
pub struct Env {
    pub dir: PathBuf,
    pub vars: HashMap<String, String>,
}

impl Env {
    pub fn new(dir: &Path, database_url: &str) -> Self {
        let mut vars = HashMap::new();
        for (name, value) in [
            ("COFFER_DATABASE_URL", database_url),
            ("COFFER_INSTANCE_NAME", "Example Social"),
            ("COFFER_MAIL_FROM", "Example Social <treasurer@coffer.test>"),
            ("COFFER_SECRET_KEY", crate::helpers::TEST_SECRET_KEY),
            ("RUST_LOG", "info"),
        ] {
            vars.insert(name.to_owned(), value.to_owned());
        }
        Self {
            dir: dir.to_owned(),
            vars,
        }
    }

    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(coffer_bin());
        command
            .args(args)
            .current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.vars);
        command
    }

    /// Runs a command to its end: (exit status, stdout, stderr).
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> (ExitStatus, String, String) {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run coffer");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write stdin");
        }
        drop(child.stdin.take());
        let output = child.wait_with_output().expect("coffer finished");
        (
            output.status,
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let (status, stdout, stderr) = self.run(args, stdin);
        assert!(status.success(), "coffer {args:?} failed: {stderr}");
        stdout
    }

    /// Starts `coffer serve` on `port` and waits until it answers `/healthz`.
    pub async fn serve(&self, port: u16) -> Server {
        let log = self.dir.join(format!("serve-{port}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let child = self
            .command(&["serve"])
            .env("COFFER_BIND", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start coffer serve");
        let server = Server { child, port, log };
        server.wait_until_healthy().await;
        server
    }
}

/// A running `coffer serve`.
pub struct Server {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_until_healthy(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = client.get(self.url("/healthz")).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "coffer did not become healthy on port {}: {}",
                self.port,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM and waits (up to a deadline) for the exit status.
    pub async fn terminate(mut self) -> ExitStatus {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: sending a signal to our own child process.
        let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(sent, 0, "SIGTERM could not be sent");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "coffer did not stop after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    crate::mailbox::free_port()
}
