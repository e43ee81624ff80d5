-- The unified inbox: who works a conversation, its state beyond open/resolved, what the
-- list filters on (denormalised so the list needs no join), labels, private notes, the
-- activity log, teams, agents' presence, capacity and skills, and the inbox settings.

CREATE TABLE teams (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    -- the skill this team answers by default (simpanan, pinjaman, toko, pengaduan …)
    skill TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, name)
);

CREATE TABLE team_members (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    team_id BIGINT NOT NULL REFERENCES teams(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (cooperative_id, user_id);

-- One row per agent who has ever been on the inbox.
CREATE TABLE agents (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    -- 'online', 'away', 'offline'
    presence TEXT NOT NULL DEFAULT 'offline',
    presence_at BIGINT NOT NULL,
    -- open conversations an agent takes at most from routing
    capacity BIGINT NOT NULL DEFAULT 8,
    -- comma-separated: simpanan,pinjaman,toko,pengaduan,lang:en
    skills TEXT NOT NULL DEFAULT '',
    -- round-robin: the least recently assigned available agent goes next
    last_assigned_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX agents_coop ON agents (cooperative_id, presence);

ALTER TABLE conversations ADD COLUMN assignee_id BIGINT REFERENCES users(id);
ALTER TABLE conversations ADD COLUMN team_id BIGINT REFERENCES teams(id);
-- 'low', 'normal', 'high', 'urgent'
ALTER TABLE conversations ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE conversations ADD COLUMN skill TEXT;
ALTER TABLE conversations ADD COLUMN snoozed_until BIGINT;
-- member messages not yet read by staff
ALTER TABLE conversations ADD COLUMN unread BIGINT NOT NULL DEFAULT 0;
-- the contact's member (if any) and whether the member wrote from a verified identity
ALTER TABLE conversations ADD COLUMN member_id BIGINT;
ALTER TABLE conversations ADD COLUMN verified BIGINT NOT NULL DEFAULT 0;
-- the last message, shortened, for the list
ALTER TABLE conversations ADD COLUMN preview TEXT NOT NULL DEFAULT '';
-- SLA: targets as instants, the first answer, breaches (1 first response, 2 resolution)
ALTER TABLE conversations ADD COLUMN first_response_due BIGINT;
ALTER TABLE conversations ADD COLUMN first_response_at BIGINT;
ALTER TABLE conversations ADD COLUMN resolution_due BIGINT;
ALTER TABLE conversations ADD COLUMN breached BIGINT NOT NULL DEFAULT 0;
CREATE INDEX conversations_assignee ON conversations (cooperative_id, assignee_id, status, last_message_at);
CREATE INDEX conversations_queue ON conversations (cooperative_id, status, assignee_id, verified, opened_at);
CREATE INDEX conversations_sla ON conversations (status, first_response_due);
CREATE INDEX conversations_snoozed ON conversations (status, snoozed_until);

CREATE TABLE conversation_labels (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    label TEXT NOT NULL,
    PRIMARY KEY (conversation_id, label)
);
CREATE INDEX conversation_labels_label ON conversation_labels (cooperative_id, label);

-- Private notes: staff only, never sent.
CREATE TABLE conversation_notes (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX conversation_notes_conv ON conversation_notes (conversation_id, id);

-- What happened to a conversation (assigned, transferred, snoozed, resolved, reopened,
-- split, sla_breach …), shown in its timeline; SLA breaches are also alerts.
CREATE TABLE conversation_events (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX conversation_events_conv ON conversation_events (conversation_id, id);
CREATE INDEX conversation_events_kind ON conversation_events (cooperative_id, kind, at);

-- Where staff left off reading.
CREATE TABLE conversation_reads (
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    message_id BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- Per cooperative; a missing row means the defaults (docs/INBOX.md).
CREATE TABLE inbox_settings (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    -- a member's new message on another channel joins their open conversation when it
    -- was active this many minutes ago or less; 0: never group across channels
    group_window_minutes BIGINT NOT NULL DEFAULT 1440,
    -- an agent going offline: 'requeue' their open conversations or 'keep' them
    leave_policy TEXT NOT NULL DEFAULT 'requeue',
    auto_assign BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

-- Keywords (or a channel kind) that tell which skill a new conversation needs.
CREATE TABLE skill_rules (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    skill TEXT NOT NULL,
    -- one of the two
    keyword TEXT,
    channel_kind TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX skill_rules_coop ON skill_rules (cooperative_id);
