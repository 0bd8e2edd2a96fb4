//! What a donor is shown with: a closed set of display perks, and per-field consent.
//!
//! Perks are display only by construction: there is no variant that could mean a role or a right.

use serde::{Deserialize, Serialize};

use super::DomainError;

/// A display perk a tier can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Perk {
    Name,
    Logo,
    Link,
    Handle,
}

impl Perk {
    const ALL: [Perk; 4] = [Perk::Name, Perk::Logo, Perk::Link, Perk::Handle];

    pub fn as_str(self) -> &'static str {
        match self {
            Perk::Name => "name",
            Perk::Logo => "logo",
            Perk::Link => "link",
            Perk::Handle => "handle",
        }
    }

    pub fn parse(value: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == value.trim())
            .ok_or_else(|| DomainError::NotOneOf {
                value: value.to_owned(),
                allowed: "name, logo, link, handle (perks are display only)",
            })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl utoipa::PartialSchema for Perk {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::string_enum(&Perk::ALL.map(Perk::as_str))
    }
}

impl utoipa::ToSchema for Perk {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Perk")
    }
}

/// A set of perks, stored as `name,logo,link`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PerkSet(u8);

impl PerkSet {
    pub fn from_perks(perks: impl IntoIterator<Item = Perk>) -> Self {
        Self(perks.into_iter().fold(0, |bits, p| bits | p.bit()))
    }

    pub fn contains(&self, perk: Perk) -> bool {
        self.0 & perk.bit() != 0
    }

    /// The perks in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = Perk> + '_ {
        Perk::ALL.into_iter().filter(|p| self.contains(*p))
    }

    pub fn to_csv(&self) -> String {
        self.iter().map(Perk::as_str).collect::<Vec<_>>().join(",")
    }

    pub fn from_csv(csv: &str) -> Result<Self, DomainError> {
        let perks = csv
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(Perk::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_perks(perks))
    }
}

/// What a donor agreed to show, field by field. Nothing is shown without consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Consent {
    pub name: bool,
    pub logo: bool,
    pub link: bool,
    pub handle: bool,
    pub amount: bool,
}

impl Consent {
    fn allows(&self, perk: Perk) -> bool {
        match perk {
            Perk::Name => self.name,
            Perk::Logo => self.logo,
            Perk::Link => self.link,
            Perk::Handle => self.handle,
        }
    }
}

/// The fields shown for a donor: granted by the tier, consented to, and not anonymous.
pub fn shown_fields(perks: PerkSet, consent: &Consent, anonymous: bool) -> PerkSet {
    if anonymous {
        return PerkSet::default();
    }
    PerkSet::from_perks(perks.iter().filter(|p| consent.allows(*p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn perks_round_trip_through_storage() {
        let set = PerkSet::from_perks([Perk::Link, Perk::Name]);
        assert_eq!(set.to_csv(), "name,link");
        assert_eq!(PerkSet::from_csv("name,link").unwrap(), set);
        assert_eq!(PerkSet::from_csv("").unwrap(), PerkSet::default());
        assert!(PerkSet::from_csv("name,moderator").is_err());
    }

    #[test]
    fn only_granted_and_consented_fields_show() {
        let tier = PerkSet::from_perks([Perk::Name, Perk::Link]);
        let consent = Consent {
            name: true,
            logo: true,
            ..Consent::default()
        };
        let shown = shown_fields(tier, &consent, false);
        assert!(shown.contains(Perk::Name));
        assert!(
            !shown.contains(Perk::Logo),
            "the tier does not grant a logo"
        );
        assert!(
            !shown.contains(Perk::Link),
            "the donor did not consent to the link"
        );
        assert_eq!(shown_fields(tier, &consent, true), PerkSet::default());
    }

    proptest! {
        #[test]
        fn shown_fields_are_within_perks_and_consent(bits in 0u8..16, name: bool, logo: bool, link: bool, handle: bool, anonymous: bool) {
            let perks = PerkSet::from_perks(Perk::ALL.into_iter().filter(|p| bits & p.bit() != 0));
            let consent = Consent { name, logo, link, handle, amount: false };
            let shown = shown_fields(perks, &consent, anonymous);
            for perk in shown.iter() {
                prop_assert!(perks.contains(perk) && consent.allows(perk) && !anonymous);
            }
        }
    }
}
