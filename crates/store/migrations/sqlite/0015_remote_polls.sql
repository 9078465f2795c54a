-- Polls on other servers' posts: the counts are the origin server's (sent with the Question
-- and its later Updates), kept as last sent; votes from here are sent to it. NULL for local
-- polls, whose counts are their poll_votes.
-- Kept in step with the postgres dialect's 0015_remote_polls.sql; a test compares the two schemas.

ALTER TABLE polls ADD COLUMN remote_counts TEXT;
ALTER TABLE polls ADD COLUMN remote_voters_count BIGINT;
