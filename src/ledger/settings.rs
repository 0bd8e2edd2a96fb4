//! Instance settings the treasurer keeps in the console: the instance's name, the monthly goal
//! and the bank transfer instructions for donors. The environment gives the defaults; a stored
//! value wins over it. Settings are not money: they are replaced in place, and the audit log
//! keeps every earlier value (the write unit records the change with before and after).

use std::collections::HashMap;

use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::domain::{Currency, Money};
use crate::error::{AppError, AppResult};

const INSTANCE_NAME: &str = "instance_name";
const MONTHLY_GOAL: &str = "monthly_goal";
const BANK_INSTRUCTIONS: &str = "bank_instructions";

/// The longest instance name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest bank transfer instructions, in characters.
pub const MAX_INSTRUCTIONS_CHARS: usize = 2000;

/// What the wall measures recurring support against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyGoal {
    /// A twelfth of the running costs of the last 365 days (the default).
    RunningCosts,
    /// A figure the treasurer chose, in the instance currency.
    Fixed(Money),
}

/// The settings in force: stored values over the environment's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSettings {
    pub instance_name: String,
    pub monthly_goal: MonthlyGoal,
    /// How to pay by bank transfer, shown to donors; `None` when not offered.
    pub bank_instructions: Option<String>,
}

/// A complete set of settings as submitted, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsDraft {
    pub instance_name: String,
    pub monthly_goal: MonthlyGoal,
    pub bank_instructions: Option<String>,
}

impl SettingsDraft {
    /// Checks submitted settings: `goal` is empty for "follow the running costs", or an amount
    /// in the instance currency.
    pub fn parse(
        instance_name: &str,
        goal: &str,
        bank_instructions: &str,
        currency: Currency,
    ) -> AppResult<Self> {
        let instance_name = super::clean_text("instance_name", instance_name, MAX_NAME_CHARS)?;
        if instance_name.is_empty() {
            return Err(AppError::invalid("instance_name", "must not be empty"));
        }
        if instance_name.contains('\n') {
            return Err(AppError::invalid("instance_name", "must be one line"));
        }
        let goal = goal.trim();
        let monthly_goal = if goal.is_empty() {
            MonthlyGoal::RunningCosts
        } else {
            let amount = Money::parse_positive(goal, currency).map_err(|e| {
                AppError::invalid(
                    "monthly_goal",
                    format!("{e}; leave it empty to follow the running costs"),
                )
            })?;
            MonthlyGoal::Fixed(amount)
        };
        let bank_instructions = super::clean_text(
            "bank_instructions",
            &bank_instructions.replace("\r\n", "\n"),
            MAX_INSTRUCTIONS_CHARS,
        )?;
        Ok(Self {
            instance_name,
            monthly_goal,
            bank_instructions: (!bank_instructions.is_empty()).then_some(bank_instructions),
        })
    }
}

/// The stored settings by name (a handful of rows).
fn stored(conn: &mut DbConn) -> AppResult<HashMap<String, String>> {
    Ok(db::settings::all(conn)?.into_iter().collect())
}

/// The settings in force.
pub fn load(conn: &mut DbConn, env: &Settings) -> AppResult<InstanceSettings> {
    let stored = stored(conn)?;
    Ok(InstanceSettings {
        instance_name: name_from(&stored, &env.instance_name),
        monthly_goal: goal_from(&stored, env.currency),
        bank_instructions: stored.get(BANK_INSTRUCTIONS).cloned(),
    })
}

/// The monthly goal in force (the wall needs only this).
pub fn monthly_goal(conn: &mut DbConn, currency: Currency) -> AppResult<MonthlyGoal> {
    Ok(goal_from(&stored(conn)?, currency))
}

/// The instance name in force, `default` when none is stored.
pub fn instance_name(conn: &mut DbConn, default: &str) -> AppResult<String> {
    Ok(name_from(&stored(conn)?, default))
}

fn name_from(stored: &HashMap<String, String>, default: &str) -> String {
    stored
        .get(INSTANCE_NAME)
        .cloned()
        .unwrap_or_else(|| default.to_owned())
}

/// A stored goal is kept as `12.50 EUR`; one in another currency than the instance's (the
/// currency was changed since) no longer applies, and the running costs do.
fn goal_from(stored: &HashMap<String, String>, currency: Currency) -> MonthlyGoal {
    stored
        .get(MONTHLY_GOAL)
        .and_then(|text| {
            let (amount, code) = text.split_once(' ')?;
            (Currency::parse(code).ok()? == currency)
                .then(|| Money::parse_positive(amount, currency).ok())
                .flatten()
        })
        .map_or(MonthlyGoal::RunningCosts, MonthlyGoal::Fixed)
}

/// Stores a complete set of settings and returns what was in force before, for the audit log.
pub fn save(
    conn: &mut DbConn,
    env: &Settings,
    draft: &SettingsDraft,
) -> AppResult<(InstanceSettings, InstanceSettings)> {
    let before = load(conn, env)?;
    let now = db::now();
    db::settings::put(conn, INSTANCE_NAME, &draft.instance_name, now)?;
    match draft.monthly_goal {
        MonthlyGoal::RunningCosts => db::settings::remove(conn, MONTHLY_GOAL)?,
        MonthlyGoal::Fixed(amount) => db::settings::put(
            conn,
            MONTHLY_GOAL,
            &format!("{} {}", amount.amount_string(), amount.currency().code()),
            now,
        )?,
    }
    match &draft.bank_instructions {
        Some(text) => db::settings::put(conn, BANK_INSTRUCTIONS, text, now)?,
        None => db::settings::remove(conn, BANK_INSTRUCTIONS)?,
    }
    let after = load(conn, env)?;
    Ok((before, after))
}

impl MonthlyGoal {
    /// How the audit log and the settings form write it: empty for the running costs.
    pub fn as_form_value(&self) -> String {
        match self {
            Self::RunningCosts => String::new(),
            Self::Fixed(amount) => amount.amount_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn an_empty_goal_follows_the_running_costs_and_a_figure_is_fixed() {
        let draft = SettingsDraft::parse("Example Social", "", "", eur()).unwrap();
        assert_eq!(draft.monthly_goal, MonthlyGoal::RunningCosts);
        assert_eq!(draft.bank_instructions, None);
        let draft =
            SettingsDraft::parse(" Example ", "250.00", "IBAN NO93 8601 1117 947", eur()).unwrap();
        assert_eq!(draft.instance_name, "Example");
        assert_eq!(
            draft.monthly_goal,
            MonthlyGoal::Fixed(Money::parse_positive("250", eur()).unwrap())
        );
    }

    #[test]
    fn bad_settings_name_the_field() {
        for (name, goal, bank, field) in [
            ("", "", "", "instance_name"),
            ("a\u{202E}b", "", "", "instance_name"),
            ("ok", "-5", "", "monthly_goal"),
            ("ok", "0", "", "monthly_goal"),
            ("ok", "1.001", "", "monthly_goal"),
            ("ok", "", &"x".repeat(2001), "bank_instructions"),
        ] {
            match SettingsDraft::parse(name, goal, bank, eur()) {
                Err(AppError::Invalid { field: f, .. }) => {
                    assert_eq!(f.as_deref(), Some(field), "{name} {goal}")
                }
                other => panic!("{name:?} {goal:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_goal_stored_in_another_currency_no_longer_applies() {
        let mut stored = HashMap::new();
        stored.insert(MONTHLY_GOAL.to_owned(), "100.00 USD".to_owned());
        assert_eq!(goal_from(&stored, eur()), MonthlyGoal::RunningCosts);
        stored.insert(MONTHLY_GOAL.to_owned(), "100.00 EUR".to_owned());
        assert!(matches!(goal_from(&stored, eur()), MonthlyGoal::Fixed(_)));
    }
}
