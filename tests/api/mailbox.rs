//! A real SMTP server in the test process (`mailin-embedded`, over TCP on 127.0.0.1) that keeps
//! every message it accepts, for tests to read.

use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.data).expect("a parseable message")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    /// The decoded body of the part with this MIME type.
    pub fn part(&self, mime: &str) -> Option<String> {
        fn find(part: &mailparse::ParsedMail<'_>, mime: &str) -> Option<String> {
            if part.ctype.mimetype == mime {
                return part.get_body().ok();
            }
            part.subparts.iter().find_map(|p| find(p, mime))
        }
        find(&self.parsed(), mime)
    }
}

/// The messages received so far, shared with the server's threads.
#[derive(Debug, Clone, Default)]
pub struct Mailbox {
    messages: Arc<Mutex<Vec<Received>>>,
}

impl Mailbox {
    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().expect("mailbox").clone()
    }

    pub fn len(&self) -> usize {
        self.messages.lock().expect("mailbox").len()
    }

    /// Waits (polling, with a deadline) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize, deadline: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                start.elapsed() < deadline,
                "only {} of {n} messages arrived within {deadline:?}",
                messages.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[derive(Clone)]
struct Keeper {
    mailbox: Mailbox,
    current: Option<Received>,
}

impl Handler for Keeper {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(message) = self.current.take() {
            self.mailbox.messages.lock().expect("mailbox").push(message);
        }
        OK
    }
}

/// A port nobody listens on (yet): SMTP "down".
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Starts an SMTP server on `port` (it runs until the test process ends) and returns its mailbox.
pub fn start_smtp(port: u16) -> Mailbox {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP port");
    let mailbox = Mailbox::default();
    let mut server = Server::new(Keeper {
        mailbox: mailbox.clone(),
        current: None,
    });
    server
        .with_name("smtp.test")
        .with_num_threads(16)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    mailbox
}

pub fn smtp_url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}")
}
