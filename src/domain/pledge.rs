//! The small closed vocabularies of the ledger: intervals, statuses, sources, entry kinds.

use std::fmt;

use super::DomainError;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $allowed:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            pub fn parse(value: &str) -> Result<Self, DomainError> {
                match value.trim() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(DomainError::NotOneOf { value: value.to_owned(), allowed: $allowed }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                super::string_enum(&[$($text),+])
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

vocabulary!(
    /// How often a pledge is paid.
    Interval, "month, year" { Month => "month", Year => "year" }
);

vocabulary!(
    /// Where a pledge stands; only active pledges count towards a tier.
    PledgeStatus, "active, past_due, paused, cancelled" {
        Active => "active", PastDue => "past_due", Paused => "paused", Cancelled => "cancelled",
    }
);

vocabulary!(
    /// Where money came from or went through.
    Source, "stripe, patreon, liberapay, opencollective, kofi, github, bank, manual" {
        Stripe => "stripe", Patreon => "patreon", Liberapay => "liberapay",
        OpenCollective => "opencollective", Kofi => "kofi", GitHub => "github", Bank => "bank",
        Manual => "manual",
    }
);

vocabulary!(
    /// What a ledger entry records.
    EntryKind, "donation, refund, fee, expense, correction" {
        Donation => "donation", Refund => "refund", Fee => "fee", Expense => "expense",
        Correction => "correction",
    }
);

vocabulary!(
    /// What a console account may do: a treasurer reads and writes, a viewer only reads. These
    /// are roles in Coffer's ledger and nowhere else.
    Role, "treasurer, viewer" { Treasurer => "treasurer", Viewer => "viewer" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_and_explain_refusals() {
        for status in ["active", "past_due", "paused", "cancelled"] {
            assert_eq!(PledgeStatus::parse(status).unwrap().as_str(), status);
        }
        assert_eq!(
            Source::parse("opencollective").unwrap(),
            Source::OpenCollective
        );
        let err = Interval::parse("week").unwrap_err().to_string();
        assert_eq!(err, "“week” is not one of: month, year");
    }
}
