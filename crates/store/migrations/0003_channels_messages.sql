-- Channels and the message pipeline: channels with encrypted credentials, the inbound
-- event log (the durable record of every acknowledged webhook), conversations,
-- messages, and the outbox that the senders work from.

CREATE TABLE channels (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    base_url TEXT NOT NULL,
    -- non-secret settings (phone_number_id, page_id, user_id), JSON
    settings TEXT NOT NULL,
    -- secret settings, JSON sealed with the installation's secret key (base64)
    secrets TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX channels_coop ON channels (cooperative_id, kind);

-- Every event a provider delivered and we acknowledged, keyed by the provider's own
-- id so that a redelivery is a no-op. Processed once, in the transaction that stores
-- its effect.
CREATE TABLE inbound_events (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    event_key TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    processed_at BIGINT,
    error TEXT,
    UNIQUE (channel_id, event_key)
);
CREATE INDEX inbound_events_pending ON inbound_events (next_attempt_at, id) WHERE processed_at IS NULL;

CREATE TABLE conversations (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    -- the channel the member last wrote on
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    status TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL,
    last_inbound_at BIGINT,
    resolved_at BIGINT
);
CREATE INDEX conversations_contact ON conversations (cooperative_id, contact_id, status);
CREATE INDEX conversations_recent ON conversations (cooperative_id, status, last_message_at);

CREATE TABLE messages (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    identity_id BIGINT NOT NULL REFERENCES channel_identities(id),
    -- 'in' from the member, 'out' from the cooperative
    direction TEXT NOT NULL,
    provider_id TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    -- the full content, JSON (media reference, location, choice payload …)
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    status_rank BIGINT NOT NULL,
    error TEXT,
    -- who wrote an outgoing message (staff label, 'system')
    author TEXT,
    reply_token TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    delivered_at BIGINT,
    read_at BIGINT,
    UNIQUE (channel_id, direction, provider_id)
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_identity ON messages (identity_id, direction, created_at);

-- One row per outgoing message to deliver; written with the message.
CREATE TABLE outbox (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    message_id BIGINT NOT NULL REFERENCES messages(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
