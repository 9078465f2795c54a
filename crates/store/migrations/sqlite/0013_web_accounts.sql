-- What the web app's account journeys keep: who acknowledged which version of the
-- organisation's social-media policy (and when, for the organisation's records), and
-- password-reset tokens (only their SHA-256; single use, short-lived).
-- Kept in step with the postgres dialect's 0013_web_accounts.sql; a test compares the two schemas.

CREATE TABLE policy_acknowledgements (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    policy_hash TEXT NOT NULL,
    acknowledged_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, policy_hash)
);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_resets_user_id ON password_resets (user_id);
