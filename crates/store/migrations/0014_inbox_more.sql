-- A cooperative may turn the satisfaction survey after resolve off.
ALTER TABLE inbox_settings ADD COLUMN csat_enabled BIGINT NOT NULL DEFAULT 1;

-- The list's "every status" view, newest first (measured: 254 ms on SQLite with
-- 100,000 conversations without it; docs/PERFORMANCE.md).
CREATE INDEX conversations_coop_recent ON conversations (cooperative_id, last_message_at, id);
-- The view counters read these five columns of every open or snoozed conversation:
-- from the index alone.
CREATE INDEX conversations_counts ON conversations (cooperative_id, status, assignee_id, unread, breached);
