-- Hybrid fan-out: accounts with so many followers that their posts are not written into each
-- follower's home feed; home reads merge these authors' posts in instead (decision 0004).
-- Once listed an author stays listed, so none of their posts falls between the two ways.
-- Kept in step with the postgres dialect's 0020_home_pull_authors.sql; a test compares the two schemas.

CREATE TABLE home_pull_authors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
