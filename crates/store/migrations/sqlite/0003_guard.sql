-- The guard's audit trail and server settings.
-- Kept in step with the other dialect's 0003_guard.sql; a test compares the two schemas.

-- Who acknowledged which guard finding, and when. Never the text.
CREATE TABLE guard_acknowledgements (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    audience TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX guard_acknowledgements_account ON guard_acknowledgements (account_id, id);

-- Settings an admin changes at run time (the guard policy, …), as JSON text.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
