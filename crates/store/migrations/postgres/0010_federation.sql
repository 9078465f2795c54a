-- Federation: the signing keys of local accounts, what we know of remote actors, and the
-- state of each remote server we deliver to.
-- Kept in step with ../sqlite/0010_federation.sql; a test compares the two schemas.

-- One RSA key pair per local account, made the first time the account is federated. A table
-- of its own so the private key is never read with the profile (`accounts` rows go to many
-- places; this one only to signing).
CREATE TABLE account_keys (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Remote accounts: where they take deliveries, their collections, and the key they sign with
-- (as their actor document said when last fetched). NULL for local accounts.
ALTER TABLE accounts ADD COLUMN inbox_url TEXT;
ALTER TABLE accounts ADD COLUMN shared_inbox_url TEXT;
ALTER TABLE accounts ADD COLUMN followers_url TEXT;
ALTER TABLE accounts ADD COLUMN following_url TEXT;
ALTER TABLE accounts ADD COLUMN public_key_id TEXT;
ALTER TABLE accounts ADD COLUMN public_key_pem TEXT;
ALTER TABLE accounts ADD COLUMN last_fetched_at BIGINT;
CREATE INDEX accounts_public_key_id ON accounts (public_key_id);

-- The id of the remote `Follow` activity behind a follow or a request, so an `Accept`, a
-- `Reject` or an `Undo` can name it. NULL for follows made on this server.
ALTER TABLE follows ADD COLUMN uri TEXT;
ALTER TABLE follow_requests ADD COLUMN uri TEXT;

-- Per remote server (`host[:port]` of its inboxes): which signature dialect it accepted last
-- (`rfc9421` or `cavage`; NULL until one has worked), and its run of failed deliveries.
CREATE TABLE federation_servers (
    domain TEXT PRIMARY KEY,
    signature_dialect TEXT,
    failures BIGINT NOT NULL DEFAULT 0,
    failing_since BIGINT,
    dead_since BIGINT,
    last_success_at BIGINT,
    updated_at BIGINT NOT NULL
);
