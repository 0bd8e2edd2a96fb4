//! `/admin/import`: a treasurer uploads a platform's export, sees what it would create, update
//! and pass over (a dry run of the very import), and confirms. The upload is kept under the
//! system's temporary folder, named by its SHA-256, until it is confirmed: the confirmation
//! names the hash, so exactly the previewed file is imported, or none if it is gone (another
//! server behind the same load balancer, a restart): then the page asks for it again.

use std::path::PathBuf;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use sha2::{Digest, Sha256};

use super::forms::{read_upload, same_token, Upload, WriteForm, CSRF_FIELD};
use super::session::Console;
use super::{render, Ctx};
use crate::import::{self, Format, ImportError, ImportFile, Report};
use crate::web::error::{ApiError, PageError};
use crate::web::AppState;

/// The largest export the console takes; larger files go through `coffer import`.
pub const MAX_IMPORT_BYTES: usize = 15 * 1024 * 1024;

/// The upload form, a preview, or the result of an import.
#[derive(Template)]
#[template(path = "admin/import.html")]
pub struct ImportPage {
    pub ctx: Ctx,
    pub formats: Vec<(&'static str, &'static str)>,
    pub chosen: String,
    pub message: Option<String>,
    pub refusals: Vec<String>,
    pub report: Option<Report>,
    /// The hash to confirm, on a preview.
    pub confirm: Option<String>,
}

impl ImportPage {
    fn new(console: &Console) -> Self {
        Self {
            ctx: Ctx::new(console, "import"),
            formats: Format::ALL
                .iter()
                .map(|f| (f.as_str(), f.label()))
                .collect(),
            chosen: String::new(),
            message: None,
            refusals: Vec::new(),
            report: None,
            confirm: None,
        }
    }
}

fn kept_uploads() -> PathBuf {
    std::env::temp_dir().join("coffer-imports")
}

fn kept_upload(sha256: &str) -> Option<PathBuf> {
    let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| kept_uploads().join(format!("{}.csv", sha256.to_ascii_lowercase())))
}

/// `GET /admin/import`.
pub async fn form(console: Console) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    render(StatusCode::OK, &ImportPage::new(&console))
}

/// Shows what an import did or would do, or why it was refused.
fn outcome_page(
    mut page: ImportPage,
    outcome: Result<Report, ImportError>,
    confirm: Option<String>,
) -> Result<HttpResponse, PageError> {
    match outcome {
        Ok(report) => {
            page.confirm = confirm.filter(|_| report.changes_anything());
            if report.dry_run && !report.changes_anything() {
                page.message = Some("Everything in this file is already recorded.".to_owned());
            }
            page.report = Some(report);
            render(StatusCode::OK, &page)
        }
        Err(ImportError::Refused { file, errors, more }) => {
            page.message = Some(format!(
                "{file} was refused and nothing was imported. Correct these rows and upload it again:"
            ));
            page.refusals = errors.iter().map(ToString::to_string).collect();
            if more > 0 {
                page.refusals.push(format!("… and {more} more"));
            }
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportError::File { message, .. }) => {
            page.message = Some(message);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportError::App(err)) if super::forms::is_fixable(&err) => {
            page.message = Some(err.to_string());
            render(super::refused_status(&err), &page)
        }
        Err(ImportError::App(err)) => Err(err.into()),
    }
}

/// `POST /admin/import` (multipart): keeps the file by its hash and previews its import.
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let console = Console::from_request(&req, &mut Payload::None).await?;
    console.require_treasurer()?;
    let (fields, file) = read_upload(&req, payload.into_inner(), "file", MAX_IMPORT_BYTES).await?;
    let sent = fields.text(CSRF_FIELD);
    if sent.is_empty() || !same_token(&sent, &console.session.csrf_token) {
        return Err(ApiError::Forbidden(
            "this form has expired or did not come from Coffer; go back, reload and try again"
                .to_owned(),
        )
        .into());
    }
    let mut page = ImportPage::new(&console);
    page.chosen = fields.text("format");
    let format = match Format::parse(&page.chosen) {
        Ok(format) => format,
        Err(err) => {
            page.message = Some(err.to_string());
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let bytes = match file {
        Upload::File(bytes) => bytes,
        Upload::Missing => {
            page.message = Some("Choose the export file to import.".to_owned());
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Upload::TooLarge(size) => {
            page.message = Some(format!(
                "The file is {} MB; the console takes up to {} MB. Import it with `coffer import {format} FILE` instead.",
                size / (1024 * 1024),
                MAX_IMPORT_BYTES / (1024 * 1024)
            ));
            return render(StatusCode::PAYLOAD_TOO_LARGE, &page);
        }
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let path = kept_upload(&sha256)
        .ok_or_else(|| ApiError::Internal("a SHA-256 is 64 hex digits".to_owned()))?;
    let keep = path.clone();
    web::block(move || -> std::io::Result<()> {
        std::fs::create_dir_all(kept_uploads())?;
        // Written beside and renamed, so a half-written file is never previewed or imported.
        let partial = keep.with_extension("partial");
        std::fs::write(&partial, &bytes)?;
        std::fs::rename(&partial, &keep)
    })
    .await
    .map_err(ApiError::from)?
    .map_err(|e| ApiError::Internal(format!("keeping an uploaded import: {e}")))?;
    let writes = state.writes.clone();
    let actor = console.actor();
    let outcome = state
        .run(move |conn| {
            let file = ImportFile {
                format,
                path: &path,
                name: "The uploaded file".to_owned(),
            };
            Ok(import::run(
                conn,
                &writes,
                actor,
                &file,
                true,
                &import::Silent,
            ))
        })
        .await?;
    outcome_page(page, outcome, Some(sha256))
}

/// `POST /admin/import/confirm`: imports the previewed file, named by its hash.
pub async fn confirm(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let mut page = ImportPage::new(&form.console);
    page.chosen = form.fields.text("format");
    let format = Format::parse(&page.chosen).map_err(PageError::from)?;
    let sha256 = form.fields.text("sha256");
    let path = kept_upload(&sha256).filter(|p| p.is_file());
    let Some(path) = path else {
        page.message = Some(
            "The previewed file is no longer here (a restart, or another server took this request); upload it again."
                .to_owned(),
        );
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let writes = state.writes.clone();
    let actor = form.console.actor();
    let expected = sha256.to_ascii_lowercase();
    let outcome = state
        .run(move |conn| {
            let file = ImportFile {
                format,
                path: &path,
                name: "The uploaded file".to_owned(),
            };
            let outcome = import::run(conn, &writes, actor, &file, false, &import::Silent);
            let outcome = match outcome {
                // The write pass hashes the file again; it must be the one previewed.
                Ok(report) if report.sha256 != expected => Err(ImportError::File {
                    file: file.name.clone(),
                    message: "the kept file is not the one previewed; upload it again".to_owned(),
                }),
                other => other,
            };
            if outcome.is_ok() {
                let _ = std::fs::remove_file(&path);
            }
            Ok(outcome)
        })
        .await?;
    outcome_page(page, outcome, None)
}
