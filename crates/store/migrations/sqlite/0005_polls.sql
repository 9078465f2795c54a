-- Polls on posts, and their votes.
-- Kept in step with the other dialect's 0005_polls.sql; a test compares the two schemas.

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The option titles, as a JSON array of strings.
    options TEXT NOT NULL,
    multiple BOOLEAN NOT NULL,
    hide_totals BOOLEAN NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX polls_status_id_unique ON polls (status_id);

CREATE TABLE poll_votes (
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (poll_id, account_id, choice)
);
