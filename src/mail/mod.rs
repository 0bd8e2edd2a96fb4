//! Mail: the outbox worker, its transport (SMTP, or `.eml` files when no SMTP server is
//! configured), the rendering of receipts and statements, and annual statements.
//!
//! Messages are written to the `outbox` table in the transaction of the fact that causes them.
//! The worker claims one due message at a time under a lease, sends it, and marks it sent; a
//! failed attempt is retried with exponential backoff and jitter, forever, and a message that
//! keeps failing for days is flagged `failed`, never dropped. On PostgreSQL several processes
//! claim side by side with `FOR UPDATE SKIP LOCKED`; a process that dies mid-send leaves a lease
//! that runs out, and the message goes out again with the same `Message-ID` (receivers can
//! de-duplicate on it; SMTP itself cannot promise more than that).

pub mod render;
pub mod statements;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{header, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::config::Settings;
use crate::db::{self, outbox::OutboxRow, DbConn, Pool};
use crate::error::{AppError, AppResult};
use render::{Instance, RenderedMail};

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct MailerOptions {
    /// How often to look for due messages when nobody pokes the worker (other processes' writes,
    /// retries).
    pub poll_interval: Duration,
    /// How long a claim holds; a sender that dies gives its message back after this.
    pub lease: Duration,
    /// The first retry waits about this long; each failure doubles it (with jitter).
    pub retry_base: Duration,
    /// The longest wait between two attempts.
    pub retry_max: Duration,
    /// A message still failing this long after it was queued is flagged `failed`.
    pub flag_after: Duration,
    /// Where messages go as `.eml` files when no SMTP server is configured.
    pub files_dir: PathBuf,
}

impl Default for MailerOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(5),
            lease: Duration::from_secs(120),
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            flag_after: Duration::from_secs(3 * 24 * 3600),
            files_dir: PathBuf::from("data/outbox"),
        }
    }
}

/// Why mail could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("COFFER_SMTP_URL: {0}")]
    SmtpUrl(String),
    #[error("COFFER_MAIL_FROM: “{0}” is not an address like Coffer <coffer@example.social>")]
    From(String),
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server; TLS or STARTTLS as its URL says (`smtps://`, `smtp://…?tls=required`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder, for instances without SMTP.
    Files(PathBuf),
}

impl Transport {
    /// The transport the settings ask for.
    pub fn from_settings(settings: &Settings, files_dir: PathBuf) -> Result<Self, MailSetupError> {
        match &settings.smtp_url {
            Some(url) => {
                let url = secure_smtp_url(url)?;
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    .map_err(|e| MailSetupError::SmtpUrl(e.to_string()))?;
                Ok(Self::Smtp(
                    builder.timeout(Some(Duration::from_secs(20))).build(),
                ))
            }
            None => Ok(Self::Files(files_dir)),
        }
    }

    /// `smtp` or `files`, for the dashboard and `/healthz`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::Files(_) => "files",
        }
    }

    async fn send(&self, outbox_id: i64, message: Message) -> Result<(), String> {
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                // lettre's error names the stage (connection, TLS, the server's reply).
                let mut text = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    text.push_str(": ");
                    text.push_str(&cause.to_string());
                    source = cause.source();
                }
                text
            }),
            Self::Files(dir) => {
                let dir = dir.clone();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    let path = dir.join(format!("{outbox_id:08}.eml"));
                    // Write then rename, so a reader never sees half a message.
                    let partial = path.with_extension("eml.partial");
                    std::fs::write(&partial, bytes)?;
                    std::fs::rename(&partial, &path)
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("writing an .eml file: {e}"))
            }
        }
    }
}

/// lettre reads `smtp://` without a `tls` parameter as unencrypted SMTP. A URL that carries a
/// password (`smtp://user:pass@host:587`) must never send it in the clear, so there STARTTLS is
/// required unless the URL says otherwise (`?tls=opportunistic`); `smtps://` is TLS from the
/// start, and `smtp://host:25` without credentials (a local relay) stays as it is.
fn secure_smtp_url(raw: &str) -> Result<String, MailSetupError> {
    // The URL holds a password: errors name the problem, never the URL.
    let mut url = url::Url::parse(raw).map_err(|e| {
        MailSetupError::SmtpUrl(format!("not a URL like smtps://user:pass@host ({e})"))
    })?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(MailSetupError::SmtpUrl(
            "must start with smtps:// (TLS) or smtp:// (STARTTLS)".to_owned(),
        ));
    }
    let has_tls_param = url.query_pairs().any(|(k, _)| k == "tls");
    if url.scheme() == "smtp" && !url.username().is_empty() && !has_tls_param {
        url.query_pairs_mut().append_pair("tls", "required");
    }
    Ok(url.to_string())
}

/// Who the messages are from and what they say of the instance.
#[derive(Debug, Clone)]
pub struct Identity {
    pub instance: Instance,
    /// The host of `COFFER_PUBLIC_URL`, the right-hand side of every `Message-ID`.
    pub domain: String,
    pub from: Mailbox,
    /// Signs donors' self-service links in receipts; `None` without `COFFER_SECRET_KEY`.
    pub self_service: Option<SelfServiceLinks>,
    /// Where receipts' proof links start.
    pub public_url: String,
}

/// What a receipt's self-service link is made of. The key never reaches a log.
#[derive(Clone)]
pub struct SelfServiceLinks {
    pub public_url: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for SelfServiceLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfServiceLinks")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl SelfServiceLinks {
    /// A link for this donor, working for a week from now.
    pub fn link(&self, donor_id: i64, lang: crate::i18n::Lang) -> String {
        crate::ledger::self_service::link(
            &self.public_url,
            &self.key,
            donor_id,
            lang,
            chrono::Utc::now(),
        )
    }
}

impl Identity {
    pub fn from_settings(settings: &Settings) -> Result<Self, MailSetupError> {
        let domain = url::Url::parse(&settings.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        let from = match &settings.mail_from {
            Some(from) => from
                .parse::<Mailbox>()
                .map_err(|_| MailSetupError::From(from.clone()))?,
            None => {
                let address = format!("noreply@{domain}");
                let address = address
                    .parse()
                    .map_err(|_| MailSetupError::From(address.clone()))?;
                Mailbox::new(Some(settings.instance_name.clone()), address)
            }
        };
        Ok(Self {
            instance: Instance {
                name: settings.instance_name.clone(),
            },
            domain,
            from,
            public_url: settings.public_url.clone(),
            self_service: settings.console_key().ok().map(|key| SelfServiceLinks {
                public_url: settings.public_url.clone(),
                key: key.to_vec(),
            }),
        })
    }

    /// The `Message-ID` of an outbox row: stable across retries, on the instance's domain.
    pub fn message_id(&self, row: &OutboxRow) -> String {
        let what = row
            .receipt_number
            .as_deref()
            .map_or_else(|| row.kind.clone(), |n| format!("{}-{n}", row.kind));
        // The row's id and creation time make it unique even if a database is ever restored
        // from an older backup and ids are handed out again.
        format!(
            "<{what}.{}.{}@{}>",
            row.id,
            row.created_at.and_utc().timestamp_micros(),
            self.domain
        )
    }

    /// Builds the multipart message: text and HTML, `Auto-Submitted: auto-generated`, a
    /// `Date` and a `Message-ID`; transactional, so no `List-Unsubscribe`.
    pub fn build(
        &self,
        recipient: &str,
        message_id: &str,
        mail: &RenderedMail,
    ) -> Result<Message, String> {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| format!("recipient “{recipient}”: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(message_id.to_owned()))
            .date_now();
        builder = builder.header(AutoSubmitted);
        if let Some(link) = &mail.proof_link {
            builder = builder.header(LedgerProof(link.clone()));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| format!("building the message: {e}"))
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies to receipts.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl header::Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `X-Coffer-Ledger-Proof: <link>`: where `coffer verify-receipt` finds the receipt's proof.
#[derive(Debug, Clone)]
struct LedgerProof(String);

impl header::Header for LedgerProof {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str(crate::verify::PROOF_HEADER)
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(value.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The outbox worker of one process.
#[derive(Clone)]
pub struct Mailer {
    pool: Pool,
    identity: Arc<Identity>,
    transport: Transport,
    options: MailerOptions,
    /// Names this worker's leases; unique per worker.
    owner: String,
    wake: Arc<Notify>,
}

impl Mailer {
    /// A worker over `pool`, woken by `wake` (poked after each committed write).
    pub fn new(
        pool: Pool,
        settings: &Settings,
        options: MailerOptions,
        wake: Arc<Notify>,
    ) -> Result<Self, MailSetupError> {
        use rand::Rng;
        let transport = Transport::from_settings(settings, options.files_dir.clone())?;
        let owner = format!(
            "{}:{}:{:08x}",
            hostname_or_local(),
            std::process::id(),
            rand::thread_rng().gen::<u32>()
        );
        Ok(Self {
            pool,
            identity: Arc::new(Identity::from_settings(settings)?),
            transport,
            options,
            owner,
            wake,
        })
    }

    pub fn transport_name(&self) -> &'static str {
        self.transport.name()
    }

    /// Sends due messages until there are none, then waits to be poked or for the poll
    /// interval; forever.
    pub async fn run(self) {
        let (_keep, stop) = tokio::sync::watch::channel(false);
        self.run_until(stop).await;
    }

    /// Like [`Mailer::run`], until `stop` turns true: the message being sent is finished and
    /// marked first, and no new one is claimed after.
    pub async fn run_until(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        tracing::info!(transport = self.transport.name(), "mail worker started");
        while !*stop.borrow() {
            loop {
                if *stop.borrow() {
                    break;
                }
                match self.send_next().await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        tracing::warn!("mail worker: {err}");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.options.poll_interval) => {}
                _ = self.wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// Gives back this worker's leases on unsent messages (after it was stopped mid-send), so
    /// the next process sends them at once. A message whose send was cut off may then go
    /// twice; one whose send finished was marked sent and never goes again.
    pub fn release_leases(&self) -> AppResult<usize> {
        let mut conn = self.pool.get()?;
        Ok(db::outbox::release_leases(&mut conn, &self.owner)?)
    }

    /// Claims, sends and marks one due message; false when none was due.
    pub async fn send_next(&self) -> AppResult<bool> {
        let owner = self.owner.clone();
        let lease = chrono::Duration::from_std(self.options.lease)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let claimed = self
            .blocking(move |conn| {
                let now = db::now();
                Ok(db::write_transaction(conn, |conn| {
                    db::outbox::claim(conn, &owner, now, now + lease)
                })?)
            })
            .await?;
        let Some(row) = claimed else {
            return Ok(false);
        };
        let message_id = row
            .message_id
            .clone()
            .unwrap_or_else(|| self.identity.message_id(&row));
        let identity = self.identity.clone();
        let to_render = row.clone();
        let rendered = self
            .blocking(move |conn| render_row(conn, &identity, &to_render))
            .await;
        let outcome = match rendered {
            Ok(mail) => match self.identity.build(&row.recipient, &message_id, &mail) {
                Ok(message) => self.transport.send(row.id, message).await.map(|()| mail),
                Err(err) => Err(err),
            },
            Err(err) => Err(err.to_string()),
        };
        let owner = self.owner.clone();
        match outcome {
            Ok(mail) => {
                let kept = self
                    .blocking(move |conn| {
                        Ok(db::outbox::mark_sent(
                            conn,
                            row.id,
                            &owner,
                            &db::outbox::Sent {
                                subject: &mail.subject,
                                body_text: &mail.text,
                                body_html: &mail.html,
                                message_id: &message_id,
                                sent_at: db::now(),
                            },
                        )?)
                    })
                    .await?;
                if !kept {
                    tracing::warn!(id = row.id, "sent a message whose lease had run out");
                }
            }
            Err(error) => {
                let delay = backoff(&self.options, row.attempts);
                let flag_after = chrono::Duration::from_std(self.options.flag_after)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let now = db::now();
                let flag = now - row.created_at >= flag_after;
                tracing::warn!(
                    id = row.id,
                    attempts = row.attempts,
                    flagged = flag,
                    "sending failed: {error}"
                );
                let next = now
                    + chrono::Duration::from_std(delay)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                self.blocking(move |conn| {
                    Ok(db::outbox::mark_failed(
                        conn, row.id, &owner, &error, next, flag,
                    )?)
                })
                .await?;
            }
        }
        Ok(true)
    }

    async fn blocking<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("mail worker task: {e}")))?
    }
}

/// The message of an outbox row: what was rendered before, or the receipt rendered from its
/// snapshot.
fn render_row(conn: &mut DbConn, identity: &Identity, row: &OutboxRow) -> AppResult<RenderedMail> {
    let instance = &identity.instance;
    if let (Some(subject), Some(text), Some(html)) = (&row.subject, &row.body_text, &row.body_html)
    {
        return Ok(RenderedMail {
            subject: subject.clone(),
            text: text.clone(),
            html: html.clone(),
            proof_link: None,
        });
    }
    let number = row
        .receipt_number
        .as_deref()
        .ok_or_else(|| AppError::Internal(format!("outbox message {} has no body", row.id)))?;
    let receipt = crate::ledger::receipts::find(conn, number)?;
    let instance = instance.current(conn)?;
    // Rendered at each sending, so the link's week starts when the mail leaves.
    let link = match (&identity.self_service, receipt.donor_id) {
        (Some(links), Some(donor_id)) => Some(links.link(donor_id, receipt.snapshot.lang)),
        _ => None,
    };
    render::receipt_with_proof(
        &instance,
        &receipt.snapshot,
        link.as_deref(),
        Some(&identity.public_url),
    )
}

/// Exponential backoff with jitter: about `base · 2^(attempts−1)`, capped, each wait drawn
/// between half and all of it so that many failing messages do not retry in lockstep.
pub fn backoff(options: &MailerOptions, attempts: i32) -> Duration {
    use rand::Rng;
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let full = options
        .retry_base
        .saturating_mul(2_u32.saturating_pow(exponent))
        .min(options.retry_max);
    let factor: f64 = rand::thread_rng().gen_range(0.5..=1.0);
    full.mul_f64(factor)
}

fn hostname_or_local() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "coffer".to_owned())
}

/// Where the outbox stands: counts by status and the transport in use.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxStatus {
    pub queued: i64,
    pub failed: i64,
    /// Counted for the treasurer; left out of `/healthz`, which only needs the depth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<i64>,
    /// `smtp`, or `files` when messages are written under `data/outbox/` instead.
    pub transport: &'static str,
}

fn transport_of(settings: &Settings) -> &'static str {
    if settings.smtp_url.is_some() {
        "smtp"
    } else {
        "files"
    }
}

/// The outbox's counts, sent included, with the transport the settings choose.
pub fn status(conn: &mut DbConn, settings: &Settings) -> AppResult<OutboxStatus> {
    let counts = db::outbox::counts(conn)?;
    Ok(OutboxStatus {
        queued: counts.queued,
        failed: counts.failed,
        sent: Some(counts.sent),
        transport: transport_of(settings),
    })
}

/// The outbox's depth (queued and failed messages; cheap: it never counts the sent ones).
pub fn depth(conn: &mut DbConn, settings: &Settings) -> AppResult<OutboxStatus> {
    let (queued, failed) = db::outbox::depth(conn)?;
    Ok(OutboxStatus {
        queued,
        failed,
        sent: None,
        transport: transport_of(settings),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_travels_in_the_clear() {
        assert_eq!(
            secure_smtp_url("smtp://user:pass@mail.example:587").unwrap(),
            "smtp://user:pass@mail.example:587?tls=required"
        );
        assert_eq!(
            secure_smtp_url("smtp://user:pass@mail.example:587?tls=opportunistic").unwrap(),
            "smtp://user:pass@mail.example:587?tls=opportunistic"
        );
        assert_eq!(
            secure_smtp_url("smtps://user:pass@mail.example").unwrap(),
            "smtps://user:pass@mail.example"
        );
        assert_eq!(
            secure_smtp_url("smtp://127.0.0.1:2525").unwrap(),
            "smtp://127.0.0.1:2525"
        );
        for bad in [
            "smtp://user:secret@[bad",
            "https://user:secret@mail.example",
        ] {
            let err = secure_smtp_url(bad).unwrap_err().to_string();
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let options = MailerOptions {
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(300),
            ..MailerOptions::default()
        };
        for _ in 0..50 {
            let first = backoff(&options, 1);
            assert!(first >= Duration::from_secs(5) && first <= Duration::from_secs(10));
            let third = backoff(&options, 3);
            assert!(third >= Duration::from_secs(20) && third <= Duration::from_secs(40));
            let late = backoff(&options, 40);
            assert!(late >= Duration::from_secs(150) && late <= Duration::from_secs(300));
        }
    }
}
