-- Signed-in browser sessions of the web app. The cookie carries a random token; only its
-- SHA-256 is stored. Kept in step with the sqlite dialect's 0011_web_sessions.sql; a test
-- compares the two schemas.

CREATE TABLE web_sessions (
    id BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX web_sessions_token_hash_unique ON web_sessions (token_hash);
CREATE INDEX web_sessions_user_id ON web_sessions (user_id);
