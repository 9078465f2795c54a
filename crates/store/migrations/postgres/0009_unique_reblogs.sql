-- One re-post of a post per account, even when two requests race.
-- Kept in step with the other dialect's 0009_unique_reblogs.sql; a test compares the two schemas.
CREATE UNIQUE INDEX statuses_one_reblog_unique ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
