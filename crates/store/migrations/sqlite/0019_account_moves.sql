-- Moving accounts: the other accounts a profile says it also is (so one of them may move here),
-- as a JSON array of ids, and where a profile moved to.
-- Kept in step with the postgres dialect's 0019_account_moves.sql; a test compares the two schemas.

ALTER TABLE accounts ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN moved_to_uri TEXT;
