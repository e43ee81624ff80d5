-- Full-text search over messages and contacts (docs/INBOX.md, "Search"). The indexed
-- text is not the raw text: it is the terms `guyub_domain::search::search_terms` makes
-- (lower-cased, Indonesian stems, numbers in every spelling), written by the store in
-- the transaction that writes the message or changes the contact. Existing rows are
-- indexed right after this file runs, in the same transaction (migrate.rs, `after`).
--
-- Each engine has its own index, so the blocks below are per engine (migrate.rs,
-- `-- engine:` lines). Every indexed term carries its cooperative (`42_pinjam`): each
-- cooperative has its own postings, so a search walks only its own cooperative's
-- documents and needs no intersection with a list of all of them.

-- engine: sqlite
-- Contentless FTS5 (the text lives in messages/contacts; the index keeps only the
-- terms). rowid is the message's (contact's) id. `ascii` tokenizer with `_` inside
-- tokens: the terms are already split and lower-cased, and non-ASCII letters stay
-- inside their word. The default `detail=full`: with `detail=column` a contentless
-- table cannot count a term's occurrences (FTS5 would re-read the text it does not
-- keep), and bm25 comes out 0 for every document.
CREATE VIRTUAL TABLE message_search USING fts5(
    terms, content='', contentless_delete=1, tokenize="ascii tokenchars '_'");
CREATE VIRTUAL TABLE contact_search USING fts5(
    terms, content='', contentless_delete=1, tokenize="ascii tokenchars '_'");

-- engine: postgres
-- The terms as a tsvector without positions (written as a tsvector literal, no text
-- search parser or dictionary: the words are already what they should be) with a GIN
-- index.
CREATE TABLE message_search (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    terms tsvector NOT NULL
);
CREATE INDEX message_search_terms ON message_search USING GIN (terms);
-- A common word's newest matches are found by walking a cooperative's newest rows.
CREATE INDEX message_search_recent ON message_search (cooperative_id, message_id);
CREATE TABLE contact_search (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts(id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    terms tsvector NOT NULL
);
CREATE INDEX contact_search_terms ON contact_search USING GIN (terms);
CREATE INDEX contact_search_recent ON contact_search (cooperative_id, contact_id);

-- engine: all
