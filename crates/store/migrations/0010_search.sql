-- Full-text search over messages and contacts (docs/INBOX.md, "Search"). The indexed
-- text is not the raw text: it is the terms `guyub_domain::search::search_terms` makes
-- (lower-cased, Indonesian stems, numbers in every spelling), written by the store in
-- the transaction that writes the message or changes the contact. Existing rows are
-- indexed right after this file runs, in the same transaction (migrate.rs, `after`).
--
-- Each engine has its own index, so the blocks below are per engine (migrate.rs,
-- `-- engine:` lines). Both keep the cooperative inside the index itself (a `coop`
-- column on SQLite, a `_k<id>` lexeme on PostgreSQL), so a search walks only its own
-- cooperative's postings.

-- engine: sqlite
-- Contentless FTS5 (the text lives in messages/contacts; the index keeps only the
-- terms). rowid is the message's (contact's) id. `ascii` tokenizer: the terms are
-- already split and lower-cased, and non-ASCII letters stay inside their word.
-- `detail=column`: no positions (every query is a set of single terms), a smaller index.
CREATE VIRTUAL TABLE message_search USING fts5(
    coop, terms, content='', contentless_delete=1, tokenize='ascii', detail='column');
CREATE VIRTUAL TABLE contact_search USING fts5(
    coop, terms, content='', contentless_delete=1, tokenize='ascii', detail='column');

-- engine: postgres
-- The terms as a tsvector (written as a tsvector literal, no text search parser or
-- dictionary: the words are already what they should be) with a GIN index.
CREATE TABLE message_search (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    terms tsvector NOT NULL
);
CREATE INDEX message_search_terms ON message_search USING GIN (terms);
CREATE TABLE contact_search (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts(id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    terms tsvector NOT NULL
);
CREATE INDEX contact_search_terms ON contact_search USING GIN (terms);

-- engine: all
