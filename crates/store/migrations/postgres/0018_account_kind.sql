-- What a profile is: a person, an organisation's page, or a group (ActivityPub Person,
-- Organization, Group). Bots stay a flag of their own (Service).
-- Kept in step with the sqlite dialect's 0018_account_kind.sql; a test compares the two schemas.

ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';
