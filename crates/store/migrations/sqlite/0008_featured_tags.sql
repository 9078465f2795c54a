-- Hashtags a person features on their profile.
-- Kept in step with the other dialect's 0008_featured_tags.sql; a test compares the two schemas.

CREATE TABLE featured_tags (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX featured_tags_account_tag_unique ON featured_tags (account_id, tag);
