//! `/admin/donors/{id}/logo`: a donor's logo, uploaded (checked and re-encoded) or taken away.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::forms::{Upload, UploadForm, WriteForm};
use super::session::Console;
use super::{act, attempt, refused_status, render, see_other, Ctx, Outcome};
use crate::error::AppResult;
use crate::ledger::donors::{self, Donor};
use crate::ledger::logos;
use crate::web::api::changed;
use crate::web::error::PageError;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/logo.html")]
pub struct LogoPage {
    pub ctx: Ctx,
    pub donor: Donor,
    pub message: Option<String>,
}

async fn logo_page(
    state: &AppState,
    console: &Console,
    id: i64,
    status: StatusCode,
    message: Option<String>,
) -> Result<HttpResponse, PageError> {
    let donor = state.run(move |conn| donors::find(conn, id)).await?;
    render(
        status,
        &LogoPage {
            ctx: Ctx::new(console, "donors"),
            donor,
            message,
        },
    )
}

/// `GET /admin/donors/{id}/logo`: the upload form, with the current logo.
pub async fn logo_form(
    state: web::Data<AppState>,
    console: Console,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    console.require_treasurer()?;
    logo_page(&state, &console, path.into_inner(), StatusCode::OK, None).await
}

/// `POST /admin/donors/{id}/logo`: checks and re-encodes the image off the async workers, then
/// stores it and points the donor at it through the write unit.
pub async fn upload_logo(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: UploadForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let upload = match form.file {
        Upload::File(bytes) => bytes,
        Upload::TooLarge(size) => {
            let message = logos::too_large(size);
            return logo_page(
                &state,
                &form.console,
                id,
                StatusCode::PAYLOAD_TOO_LARGE,
                Some(message),
            )
            .await;
        }
        Upload::Missing => Vec::new(),
    };
    let processed = web::block(move || logos::process(&upload))
        .await
        .map_err(crate::web::error::ApiError::from)?;
    let change = processed.map(|logo| {
        move |conn: &mut crate::db::DbConn| {
            let path = logos::attach(conn, id, &logo)?;
            let body = serde_json::json!({
                "logo": path,
                "width": logo.width,
                "height": logo.height,
                "bytes": logo.bytes.len(),
            });
            Ok(changed(format!("donor:{id}"), &body)?.with_detail(body.to_string()))
        }
    });
    match attempt(&state, &form.console, "donor.logo", change).await? {
        Outcome::Done(_) => Ok(see_other(&format!("/admin/donors/{id}"))),
        Outcome::Refused(err) => {
            let message = match &err {
                crate::error::AppError::Invalid { message, .. } => message.clone(),
                other => other.to_string(),
            };
            logo_page(
                &state,
                &form.console,
                id,
                refused_status(&err),
                Some(message),
            )
            .await
        }
    }
}

/// `POST /admin/donors/{id}/logo/remove`: the donor shows no logo any more.
pub async fn remove_logo(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        let removed = logos::detach(conn, id)?;
        let body = serde_json::json!({ "removed": removed });
        Ok(changed(format!("donor:{id}"), &body)?.with_detail(body.to_string()))
    });
    act(&state, &form.console, "donor.logo_remove", change, |_| {
        format!("/admin/donors/{id}")
    })
    .await
}
