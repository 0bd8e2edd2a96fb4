-- Who a platform's supporter is in Coffer: an import finds the donor of a Patreon member, a
-- Liberapay patron or a GitHub sponsor again by the platform's own id, so that a newer export
-- adds to the same donor instead of making a second one.
CREATE TABLE import_identities (
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    donor_id BIGINT NOT NULL REFERENCES donors (id),
    PRIMARY KEY (source, external_id)
);
-- Imports find donors by email, compared without case.
CREATE INDEX donors_email_lower ON donors (LOWER(email));
