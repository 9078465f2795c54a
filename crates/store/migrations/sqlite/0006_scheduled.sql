-- Posts scheduled for later, and reading-position markers.
-- Kept in step with the other dialect's 0006_scheduled.sql; a test compares the two schemas.

CREATE TABLE scheduled_statuses (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    application_id BIGINT,
    scheduled_at BIGINT NOT NULL,
    -- The post as asked for, as JSON (text, visibility, media ids, poll, guard acknowledgement).
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX scheduled_statuses_account_id ON scheduled_statuses (account_id, scheduled_at);

CREATE TABLE markers (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline TEXT NOT NULL,
    last_read_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, timeline)
);
