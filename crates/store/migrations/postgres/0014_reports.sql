-- Reports (Mastodon's /api/v1/reports, and ActivityPub Flag both ways): someone tells the
-- moderators that an account, and perhaps some of its posts, break the rules. The reporter
-- is a local account, or the remote actor that sent a Flag (often its server's actor).
-- Kept in step with the sqlite dialect's 0014_reports.sql; a test compares the two schemas.

CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- JSON arrays of ids: the reported posts (the target's), and the rules broken.
    status_ids TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    comment TEXT NOT NULL,
    category TEXT NOT NULL,
    -- Sent on to the target's server (a Flag), or received from another server.
    forwarded BOOLEAN NOT NULL,
    -- The Flag's id, for a report that came from another server (so a retry is not a second report).
    uri TEXT,
    created_at BIGINT NOT NULL,
    action_taken_at BIGINT,
    action_taken_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX reports_uri_unique ON reports (uri);
CREATE INDEX reports_open ON reports (action_taken_at, id);
CREATE INDEX reports_target_account_id ON reports (target_account_id);
