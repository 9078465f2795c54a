-- Who mutes an account, for the live streams' per-post audience sets (relationships::author_sets).
CREATE INDEX mutes_target ON mutes (target_account_id);
