-- The general ledger: a chart of accounts per cooperative, journal entries with their
-- lines (only ever inserted: a correction is a reversing entry), and running daily
-- balances per account so that reports never rescan the journal.
CREATE TABLE accounts (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    code TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    -- asset | liability | equity | revenue | expense
    kind TEXT NOT NULL,
    parent_code TEXT,
    -- a heading sums its children and takes no postings
    is_group BIGINT NOT NULL DEFAULT 0,
    contra BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, code)
);

CREATE TABLE ledger_settings (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    -- equity | liability: how simpanan pokok and wajib are booked
    capital_booking TEXT NOT NULL,
    -- JSON: purpose -> account code (domain::money::SystemAccounts)
    system_accounts TEXT NOT NULL,
    -- YYYYMMDD; a posting dated on or before it is refused (0: nothing closed)
    closed_through BIGINT NOT NULL DEFAULT 0,
    next_entry_no BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE journal_entries (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    entry_no BIGINT NOT NULL,
    -- YYYYMMDD, the cooperative's calendar
    entry_date BIGINT NOT NULL,
    memo TEXT NOT NULL,
    -- what caused it: manual, savings, loan, shu, reversal, …
    source_kind TEXT NOT NULL,
    source_id BIGINT,
    member_id BIGINT,
    -- a reversal names the entry it reverses; an entry is reversed at most once
    reverses_entry_id BIGINT UNIQUE REFERENCES journal_entries(id),
    total BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, entry_no)
);
CREATE INDEX journal_entries_date ON journal_entries (cooperative_id, entry_date, id);
CREATE INDEX journal_entries_source ON journal_entries (cooperative_id, source_kind, source_id);

CREATE TABLE journal_lines (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    entry_id BIGINT NOT NULL REFERENCES journal_entries(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    entry_date BIGINT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    -- the member a line concerns (savings, loans, sales), for member statements and SHU
    member_id BIGINT
);
CREATE INDEX journal_lines_account ON journal_lines (cooperative_id, account_id, entry_date, id);
CREATE INDEX journal_lines_entry ON journal_lines (entry_id);

-- Debit and credit totals per account per day, kept in the posting's transaction.
CREATE TABLE ledger_daily (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    day BIGINT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, account_id, day)
);
