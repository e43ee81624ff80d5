-- Members and one identity across every channel: the member registry, contacts and
-- their channel identities, the review queue, merges (with undo), one-time codes that
-- prove ownership of an identity (sent through the message pipeline's outbox, see
-- 0003), and a timeline per member.

-- How a cooperative numbers its members, and the next number to hand out.
CREATE TABLE member_numbering (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    format TEXT NOT NULL,
    next_value BIGINT NOT NULL
);

CREATE TABLE members (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    member_no TEXT NOT NULL,
    nik TEXT,
    name TEXT NOT NULL,
    -- lower-cased name, for search on both engines
    name_key TEXT NOT NULL,
    gender TEXT,
    birth_date TEXT,
    birth_place TEXT,
    phone TEXT,
    email TEXT,
    province TEXT,
    regency TEXT,
    district TEXT,
    village TEXT,
    street TEXT,
    occupation TEXT,
    status TEXT NOT NULL,
    status_on TEXT,
    status_reason TEXT,
    joined_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, member_no),
    UNIQUE (cooperative_id, nik)
);
CREATE INDEX members_name ON members (cooperative_id, name_key);
CREATE INDEX members_email ON members (cooperative_id, email);

-- Every phone of a member in E.164; `members.phone` is the first of them.
CREATE TABLE member_phones (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    phone TEXT NOT NULL,
    PRIMARY KEY (member_id, phone)
);
CREATE INDEX member_phones_phone ON member_phones (cooperative_id, phone);

CREATE TABLE member_status_changes (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX member_status_changes_member ON member_status_changes (member_id, at);

-- A person as the cooperative meets them on its channels. A contact that was merged
-- into another keeps its row (for undo) with `merged_into` set.
CREATE TABLE contacts (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    display_name TEXT NOT NULL,
    member_id BIGINT REFERENCES members(id),
    merged_into BIGINT REFERENCES contacts(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_member ON contacts (cooperative_id, member_id);
CREATE INDEX contacts_coop ON contacts (cooperative_id, id);

CREATE TABLE channel_identities (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    -- the channel it first came through (channels arrive with the channel work)
    channel_id BIGINT,
    display_name TEXT,
    handle TEXT,
    phone TEXT,
    email TEXT,
    verified BIGINT NOT NULL DEFAULT 0,
    verified_at BIGINT,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    UNIQUE (cooperative_id, kind, external_id)
);
CREATE INDEX channel_identities_contact ON channel_identities (contact_id);
CREATE INDEX channel_identities_phone ON channel_identities (cooperative_id, phone);
CREATE INDEX channel_identities_email ON channel_identities (cooperative_id, email);

-- Matches a person must decide: several members share the phone, or an identity
-- points at another member than its contact's.
CREATE TABLE identity_reviews (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    identity_id BIGINT NOT NULL REFERENCES channel_identities(id),
    reason TEXT NOT NULL,
    -- candidate member ids, comma-separated
    candidates TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT
);
CREATE INDEX identity_reviews_open ON identity_reviews (cooperative_id, status, created_at);

-- A merge of `merged_id` into `survivor_id`: what moved, so that it can be undone.
CREATE TABLE contact_merges (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    survivor_id BIGINT NOT NULL REFERENCES contacts(id),
    merged_id BIGINT NOT NULL REFERENCES contacts(id),
    -- JSON: {"table": [row ids moved], ...}
    moved TEXT NOT NULL,
    -- the survivor's member link before the merge (it may take the merged one's)
    survivor_member_before BIGINT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    undone_at BIGINT
);
CREATE INDEX contact_merges_coop ON contact_merges (cooperative_id, at);

-- One-time codes that prove a person holds a channel identity. Only the hash is kept.
CREATE TABLE verification_codes (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    identity_id BIGINT NOT NULL REFERENCES channel_identities(id),
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT,
    requested_by TEXT NOT NULL
);
CREATE INDEX verification_codes_identity ON verification_codes (identity_id, created_at);

-- What happened to a member, newest first on the member page. Later capabilities
-- (messages, orders, savings, loans, complaints) add their own kinds.
CREATE TABLE member_timeline (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX member_timeline_member ON member_timeline (member_id, at);
