-- Service levels in business hours (docs/INBOX.md, "SLA") and canned replies
-- ("Canned replies").

-- Per cooperative; a missing row means the defaults: the cooperative's zone,
-- Monday–Friday 08:00–16:00, Saturday 08:00–12:00, and the default targets.
CREATE TABLE sla_settings (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    -- IANA name, e.g. Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)
    time_zone TEXT NOT NULL,
    -- opening hours, Monday first, comma-separated, empty for closed:
    -- 08:00-16:00,08:00-16:00,08:00-16:00,08:00-16:00,08:00-16:00,08:00-12:00,
    hours TEXT NOT NULL,
    -- targets in business minutes per priority
    first_response_low BIGINT NOT NULL,
    first_response_normal BIGINT NOT NULL,
    first_response_high BIGINT NOT NULL,
    first_response_urgent BIGINT NOT NULL,
    resolution_low BIGINT NOT NULL,
    resolution_normal BIGINT NOT NULL,
    resolution_high BIGINT NOT NULL,
    resolution_urgent BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Days the cooperative does not work (local dates in the SLA zone).
CREATE TABLE sla_holidays (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    -- YYYY-MM-DD
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, day)
);

-- What the SLA sweeper looks for: unresolved conversations whose due passed without
-- the answer (or the resolution) and that are not flagged yet. Partial, so answered
-- and already-flagged conversations drop out of the index and a sweep reads only what
-- it will flag. The sweeper's WHERE repeats these predicates word for word, which is
-- what lets SQLite and PostgreSQL use them.
CREATE INDEX conversations_sla_first_pending ON conversations (status, first_response_due)
    WHERE first_response_at IS NULL AND (breached & 1) = 0;
CREATE INDEX conversations_sla_resolution_pending ON conversations (status, resolution_due)
    WHERE (breached & 2) = 0;

-- Replies staff insert by shortcut; the body is a sandboxed template.
CREATE TABLE canned_replies (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    -- /salam: a slash, then lower-case letters, digits, - or _
    shortcut TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, shortcut)
);
