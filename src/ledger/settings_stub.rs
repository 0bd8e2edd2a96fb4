//! STUB until the lead's `ledger::settings` lands on main: the same signature, reading only the
//! environment. Delete this file on merge and point `web::donate` at `crate::ledger::settings`.

use crate::db::DbConn;
use crate::error::AppResult;

/// The settings in force (the stub knows only the environment's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSettings {
    pub instance_name: String,
    /// How to pay by bank transfer, shown to donors; `None` when not offered.
    pub bank_instructions: Option<String>,
}

/// The settings in force.
pub fn load(_conn: &mut DbConn, env: &crate::config::Settings) -> AppResult<InstanceSettings> {
    Ok(InstanceSettings {
        instance_name: env.instance_name.clone(),
        bank_instructions: None,
    })
}
