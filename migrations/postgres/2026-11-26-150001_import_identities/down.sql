DROP INDEX donors_email_lower;
DROP TABLE import_identities;
