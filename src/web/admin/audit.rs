//! `/admin/audit`: every write with who, when and what; filterable by actor and action.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::Fields;
use super::session::Console;
use super::{render, Ctx};
use crate::db::audit::AuditRow;
use crate::web::error::PageError;
use crate::web::AppState;

const PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub ctx: Ctx,
    pub records: Vec<AuditRow>,
    pub actor: String,
    pub action: String,
    pub next: Option<String>,
    /// `admin:3` → the account's email, for people reading the log.
    pub names: Vec<(String, String)>,
}

impl AuditPage {
    pub fn who(&self, actor: &str) -> String {
        self.names.iter().find(|(a, _)| a == actor).map_or_else(
            || actor.to_owned(),
            |(_, email)| format!("{email} ({actor})"),
        )
    }
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    before: String,
}

/// `GET /admin/audit?actor=&action=&before=`.
pub async fn list(
    state: web::Data<AppState>,
    console: Console,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let fields = Fields(vec![
        ("actor".to_owned(), query.actor.clone()),
        ("action".to_owned(), query.action.clone()),
        ("before".to_owned(), query.before.clone()),
    ]);
    let actor = fields.get("actor");
    let action = fields.get("action");
    let before = fields.id("before")?;
    let (records, admins) = state
        .run(move |conn| {
            let records = crate::ledger::audit::list(
                conn,
                actor.as_deref(),
                action.as_deref(),
                before,
                PAGE,
            )?;
            Ok((records, crate::ledger::admins::list(conn)?))
        })
        .await?;
    let next = (records.len() as i64 == PAGE)
        .then(|| records.last().map(|r| r.id))
        .flatten()
        .map(|last| {
            let mut next = url::form_urlencoded::Serializer::new(String::new());
            next.append_pair("actor", query.actor.trim());
            next.append_pair("action", query.action.trim());
            next.append_pair("before", &last.to_string());
            format!("/admin/audit?{}", next.finish())
        });
    render(
        StatusCode::OK,
        &AuditPage {
            ctx: Ctx::new(&console, "audit"),
            records,
            actor: query.actor.trim().to_owned(),
            action: query.action.trim().to_owned(),
            next,
            names: admins
                .into_iter()
                .map(|a| (format!("admin:{}", a.id), a.email))
                .collect(),
        },
    )
}
