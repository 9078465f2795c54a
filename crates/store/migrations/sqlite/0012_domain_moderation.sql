-- Moderation of whole servers: blocks (suspend, silence, or only reject their media) and the
-- allow-list that "limited federation" mode federates with alone.
-- Kept in step with ../postgres/0012_domain_moderation.sql; a test compares the two schemas.

-- severity: 'suspend' (nothing in or out; their accounts suspended here), 'silence' (their
-- posts kept off public timelines and search for anyone not following them) or 'noop'
-- (only reject_media). `domain` is host[:port], lower case, as accounts.domain.
CREATE TABLE domain_blocks (
    id BIGINT PRIMARY KEY,
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    reject_media BOOLEAN NOT NULL DEFAULT FALSE,
    private_comment TEXT NOT NULL DEFAULT '',
    public_comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX domain_blocks_domain_unique ON domain_blocks (domain);

CREATE TABLE domain_allows (
    id BIGINT PRIMARY KEY,
    domain TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX domain_allows_domain_unique ON domain_allows (domain);
