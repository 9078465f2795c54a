-- What was here and was deleted: the ids (URIs) of deleted local profiles and their posts,
-- so that other servers asking for them are told "gone" (410, a Tombstone), not "never was".
-- Kept in step with the sqlite dialect's 0016_tombstones.sql; a test compares the two schemas.

CREATE TABLE tombstones (
    uri TEXT PRIMARY KEY,
    former_type TEXT NOT NULL,
    deleted_at BIGINT NOT NULL
);
