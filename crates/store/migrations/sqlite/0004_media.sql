-- Media attachments. Files live in a media store (the data dir, later S3); rows say where.
-- Kept in step with the other dialect's 0004_media.sql; a test compares the two schemas.

CREATE TABLE media_attachments (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    mime TEXT NOT NULL,
    file_key TEXT NOT NULL,
    preview_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    preview_width BIGINT NOT NULL,
    preview_height BIGINT NOT NULL,
    blurhash TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    focus_x REAL NOT NULL DEFAULT 0,
    focus_y REAL NOT NULL DEFAULT 0,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_attachments_status_id ON media_attachments (status_id, position);
CREATE INDEX media_attachments_account_id ON media_attachments (account_id, id);
