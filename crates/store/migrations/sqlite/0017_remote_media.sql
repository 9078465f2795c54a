-- Media on posts from other servers: not copied here, only described (type, size, alt text,
-- blurhash) with the address its server serves it at. NULL for uploads made here.
-- Kept in step with the postgres dialect's 0017_remote_media.sql; a test compares the two schemas.

ALTER TABLE media_attachments ADD COLUMN remote_url TEXT;
