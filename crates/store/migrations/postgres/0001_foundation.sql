-- Foundation: logins, profiles, OAuth, instance rules, the job table.
-- Kept in step with ../sqlite/0001_foundation.sql; a test compares the two schemas.

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'user',
    confirmed BOOLEAN NOT NULL,
    approved BOOLEAN NOT NULL,
    locale TEXT,
    registration_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    domain TEXT,
    uri TEXT NOT NULL,
    url TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    avatar_url TEXT,
    header_url TEXT,
    fields TEXT NOT NULL DEFAULT '[]',
    locked BOOLEAN NOT NULL,
    bot BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable BOOLEAN NOT NULL,
    indexable BOOLEAN NOT NULL,
    hide_collections BOOLEAN NOT NULL,
    profile_mode TEXT NOT NULL,
    privacy_preset TEXT NOT NULL DEFAULT 'standard',
    default_visibility TEXT NOT NULL,
    default_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    default_language TEXT,
    job_title TEXT NOT NULL DEFAULT '',
    job_title_visibility TEXT NOT NULL,
    profession TEXT NOT NULL DEFAULT '',
    profession_visibility TEXT NOT NULL,
    employer TEXT NOT NULL DEFAULT '',
    employer_visibility TEXT NOT NULL,
    seniority TEXT NOT NULL DEFAULT '',
    seniority_visibility TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    location_visibility TEXT NOT NULL,
    suspended_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Usernames are unique per domain regardless of case; local accounts have no domain.
CREATE UNIQUE INDEX accounts_username_domain_unique ON accounts (lower(username), lower(coalesce(domain, '')));
CREATE UNIQUE INDEX accounts_uri_unique ON accounts (uri);
CREATE INDEX accounts_user_id ON accounts (user_id);

CREATE TABLE oauth_apps (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    website TEXT,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_apps_client_id_unique ON oauth_apps (client_id);

-- Codes and tokens are stored as SHA-256 hashes: a leaked table grants nothing.
CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    app_id BIGINT NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE oauth_tokens (
    id BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    refresh_hash TEXT,
    app_id BIGINT NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX oauth_tokens_token_hash_unique ON oauth_tokens (token_hash);
CREATE UNIQUE INDEX oauth_tokens_refresh_hash_unique ON oauth_tokens (refresh_hash);
CREATE INDEX oauth_tokens_user_id ON oauth_tokens (user_id);

CREATE TABLE instance_rules (
    id BIGINT PRIMARY KEY,
    text TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Durable side effects. A job is claimed by setting a lease (locked_until); a worker that
-- dies leaves the lease to expire and the job is claimed again.
CREATE TABLE jobs (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    last_error TEXT,
    locked_until BIGINT,
    locked_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
