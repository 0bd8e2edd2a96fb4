-- Instance settings the treasurer edits in the console (the environment gives the defaults),
-- and donors' logos: re-encoded images kept in the database, so that several processes on one
-- PostgreSQL serve the same files, named by the SHA-256 of their bytes.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE logos (
    hash TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
