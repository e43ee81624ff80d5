-- CSAT: after a conversation is resolved, one short survey on the channel the member
-- last used; their answer (1–5 and an optional comment) is kept with the agent, team
-- and channel it rates.
CREATE TABLE csat_surveys (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    identity_id BIGINT NOT NULL REFERENCES channel_identities(id),
    agent_id BIGINT REFERENCES users(id),
    team_id BIGINT REFERENCES teams(id),
    sent_at BIGINT NOT NULL,
    score BIGINT,
    comment TEXT,
    answered_at BIGINT
);
CREATE INDEX csat_pending ON csat_surveys (identity_id, sent_at) WHERE answered_at IS NULL;
CREATE INDEX csat_results ON csat_surveys (cooperative_id, sent_at);
