-- Savings (simpanan): each cooperative's settings, one account per member and kind
-- (pokok, wajib, sukarela) whose balance changes in the same transaction as the
-- movement that changes it, the movements themselves (only ever inserted), the monthly
-- simpanan wajib bills that make arrears per member, and the runs of the monthly jobs
-- (wajib billing, jasa simpanan) that make them idempotent.

CREATE TABLE savings_settings (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    -- simpanan pokok, paid once (in one or more parts) up to this amount
    pokok_amount BIGINT NOT NULL,
    -- simpanan wajib billed every month
    wajib_monthly BIGINT NOT NULL,
    -- jasa simpanan on sukarela: yearly rate in percent, decimal text ("0" = none)
    sukarela_rate TEXT NOT NULL,
    -- what must stay in sukarela after a withdrawal while the person is a member
    sukarela_minimum BIGINT NOT NULL,
    -- the next receipt (kwitansi) number
    next_receipt_no BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT,
    updated_at BIGINT
);

CREATE TABLE savings_accounts (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    -- pokok | wajib | sukarela
    kind TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0,
    -- YYYYMMDD of the latest movement (movements are kept in date order per account)
    last_date BIGINT NOT NULL DEFAULT 0,
    opened_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, member_id, kind)
);
CREATE INDEX savings_accounts_kind ON savings_accounts (cooperative_id, kind, member_id);

CREATE TABLE savings_transactions (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    account_id BIGINT NOT NULL REFERENCES savings_accounts(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    -- the account's kind, repeated for the monthly jobs' scans
    kind TEXT NOT NULL,
    -- deposit | withdrawal | transfer_in | transfer_out | jasa
    tx_type TEXT NOT NULL,
    -- YYYYMMDD, the cooperative's calendar
    tx_date BIGINT NOT NULL,
    -- more than zero; the direction follows from tx_type
    amount BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    journal_entry_id BIGINT NOT NULL REFERENCES journal_entries(id),
    -- the kwitansi; both sides of a transfer share one
    receipt_no TEXT NOT NULL,
    -- the other member of a transfer
    counterparty_id BIGINT REFERENCES members(id),
    note TEXT NOT NULL,
    -- the staff member's name, for receipts; created_by is the audit label
    teller TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- a client's idempotency key: a repeated request gets the first one's receipt
    request_key TEXT,
    UNIQUE (cooperative_id, request_key)
);
CREATE INDEX savings_transactions_account ON savings_transactions (cooperative_id, account_id, id);
CREATE INDEX savings_transactions_kind_date ON savings_transactions (cooperative_id, kind, tx_date);
CREATE INDEX savings_transactions_receipt ON savings_transactions (cooperative_id, receipt_no);

-- Simpanan wajib billed to a member for a month; deposits to wajib settle the oldest
-- bills first.
CREATE TABLE wajib_bills (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    -- YYYYMM
    month BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    paid BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, member_id, month)
);
CREATE INDEX wajib_bills_month ON wajib_bills (cooperative_id, month);

-- One row per monthly job and month: wajib_billing (re-runs add members who became
-- due since) and jasa (posted once).
CREATE TABLE savings_runs (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    kind TEXT NOT NULL,
    -- YYYYMM
    month BIGINT NOT NULL,
    members BIGINT NOT NULL,
    total BIGINT NOT NULL,
    run_by TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, kind, month)
);
