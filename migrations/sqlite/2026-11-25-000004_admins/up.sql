-- Console accounts and their server-side sessions. A session row's id is a hash of the random
-- token in the cookie, so a copy of the database signs nobody in.
CREATE TABLE admins (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('treasurer', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);

CREATE TABLE admin_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    admin_id BIGINT NOT NULL REFERENCES admins (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    csrf_token TEXT NOT NULL
);

CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);
