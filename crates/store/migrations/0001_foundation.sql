-- Foundation: cooperatives (tenants), staff, sessions, API tokens, audit log,
-- login throttling and one-time setup links.
-- %ID% and %BLOB% are replaced per engine by migrate.rs; everything else is portable.

CREATE TABLE cooperatives (
    id %ID%,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    logo_svg TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'id',
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, email)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_coop ON api_tokens (cooperative_id);

-- One hash chain per cooperative (chain_key = cooperative id) and one for the
-- platform (chain_key = 0). The head row is updated first in every append, which
-- serialises appends to a chain on both engines.
CREATE TABLE audit_heads (
    chain_key BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE audit_log (
    id %ID%,
    chain_key BIGINT NOT NULL,
    cooperative_id BIGINT REFERENCES cooperatives(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (chain_key, seq)
);
CREATE INDEX audit_log_coop_at ON audit_log (cooperative_id, at);

CREATE TABLE login_failures (
    id %ID%,
    account_key TEXT NOT NULL,
    source TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account_key, at);
CREATE INDEX login_failures_source ON login_failures (source, at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
