//! `/admin/tokens`: API tokens for scripts. A new token is shown once; only its hash is kept.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::forms::{Field, FormState, WriteForm};
use super::session::Console;
use super::{act, attempt, refused_status, render, Ctx, Outcome};
use crate::error::AppResult;
use crate::ledger::tokens::{self, TokenInfo};
use crate::ledger::write::Recorded;
use crate::web::api::changed;
use crate::web::error::{ApiError, PageError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub ctx: Ctx,
    pub tokens: Vec<TokenInfo>,
    /// The token just created, shown this once.
    pub created: Option<String>,
    pub form: FormState,
    pub fields: Vec<Field>,
}

fn fields() -> Vec<Field> {
    vec![Field::new("name", "Name", "text")
        .required()
        .hint("To recognise it by, e.g. bookkeeping script.")]
}

async fn page(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    created: Option<String>,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let tokens = state.run(tokens::list).await?;
    render(
        status,
        &TokensPage {
            ctx: Ctx::new(console, "tokens"),
            tokens,
            created,
            form,
            fields: fields(),
        },
    )
}

/// `GET /admin/tokens`.
pub async fn list(state: web::Data<AppState>, console: Console) -> Result<HttpResponse, PageError> {
    page(&state, &console, StatusCode::OK, None, FormState::default()).await
}

/// `POST /admin/tokens`: creates a token and shows it once, on this answer only.
pub async fn create(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let name = form.fields.text("name");
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        let token = tokens::create(conn, &name)?;
        Ok(Recorded {
            status: 201,
            body: serde_json::json!({ "token": token }),
            subject: "api-token".to_owned(),
            // The secret never reaches the audit log; its name does.
            detail: Some(name.trim().to_owned()),
        })
    });
    match attempt(&state, &form.console, "token.create", change).await? {
        Outcome::Done(body) => {
            let token = body["token"]
                .as_str()
                .ok_or_else(|| ApiError::Internal("no token in the reply".to_owned()))?
                .to_owned();
            page(
                &state,
                &form.console,
                StatusCode::CREATED,
                Some(token),
                FormState::default(),
            )
            .await
        }
        Outcome::Refused(err) => {
            let again = FormState::refused(form.fields.clone(), &err, &fields());
            page(&state, &form.console, refused_status(&err), None, again).await
        }
    }
}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn revoke(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        tokens::revoke_id(conn, id)?;
        Ok(
            changed(format!("api-token:{id}"), &serde_json::Value::Null)?
                .with_detail(String::new()),
        )
    });
    act(&state, &form.console, "token.revoke", change, |_| {
        "/admin/tokens".to_owned()
    })
    .await
}
