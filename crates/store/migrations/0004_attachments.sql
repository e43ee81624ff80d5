-- Attachments: a received media message's file, fetched from the provider into object
-- storage (a local directory or S3-compatible storage).
ALTER TABLE messages ADD COLUMN media_key TEXT;
ALTER TABLE messages ADD COLUMN media_type TEXT;
ALTER TABLE messages ADD COLUMN media_size BIGINT;
-- 'pending' (to fetch), 'stored', or 'refused: <reason>'
ALTER TABLE messages ADD COLUMN media_state TEXT;
CREATE INDEX messages_media_pending ON messages (id) WHERE media_state = 'pending';
