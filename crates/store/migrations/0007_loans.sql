-- Loans (pinjaman): products per cooperative, loans from application to settlement,
-- their instalment schedules, repayments (with how each was split over instalments)
-- and the cooperative's loan settings (collectibility thresholds, numbering).
-- Money is whole rupiah (BIGINT); rates are decimal percentages as TEXT; dates are
-- YYYYMMDD numbers in the cooperative's calendar.

CREATE TABLE loan_products (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    -- flat | menurun | anuitas
    method TEXT NOT NULL,
    -- yearly, percent, e.g. '18' or '12.5'
    yearly_rate TEXT NOT NULL,
    min_tenor BIGINT NOT NULL,
    max_tenor BIGINT NOT NULL,
    -- 0: no minimum; NULL: no maximum
    min_principal BIGINT NOT NULL DEFAULT 0,
    max_principal BIGINT,
    -- percent | fixed; value is a percentage (TEXT decimal) or whole rupiah (as TEXT)
    provisi_kind TEXT NOT NULL,
    provisi_value TEXT NOT NULL,
    admin_kind TEXT NOT NULL,
    admin_value TEXT NOT NULL,
    -- none | daily_percent | daily_fixed | per_installment
    denda_kind TEXT NOT NULL,
    denda_value TEXT NOT NULL,
    denda_grace_days BIGINT NOT NULL DEFAULT 0,
    -- interest-only months at the start of the tenor
    grace_months BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, name)
);

CREATE TABLE loan_settings (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    -- a loan is in a class once its days past due are MORE than the class's number
    kurang_lancar_after BIGINT NOT NULL,
    diragukan_after BIGINT NOT NULL,
    macet_after BIGINT NOT NULL,
    next_loan_no BIGINT NOT NULL DEFAULT 1,
    next_receipt_no BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE loans (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    loan_no TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members(id),
    product_id BIGINT NOT NULL REFERENCES loan_products(id),
    -- the terms, fixed at application (a later change of the product leaves them)
    principal BIGINT NOT NULL,
    yearly_rate TEXT NOT NULL,
    tenor_months BIGINT NOT NULL,
    method TEXT NOT NULL,
    grace_months BIGINT NOT NULL,
    provisi BIGINT NOT NULL,
    admin_fee BIGINT NOT NULL,
    denda_kind TEXT NOT NULL,
    denda_value TEXT NOT NULL,
    denda_grace_days BIGINT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    -- applied -> approved | rejected; approved -> disbursed -> settled
    status TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    -- the person behind the actor (user:<id>, token:<id>, cli): maker-checker compares these
    applied_by_key TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_by_key TEXT,
    decided_at BIGINT,
    decision_note TEXT,
    disbursed_by TEXT,
    disbursed_at BIGINT,
    disbursed_on BIGINT,
    -- cash | sukarela
    disbursement_channel TEXT,
    disbursement_entry_id BIGINT REFERENCES journal_entries(id),
    first_due BIGINT,
    settled_on BIGINT,
    -- principal still owed, kept with every repayment (lists and the portfolio)
    outstanding_principal BIGINT NOT NULL DEFAULT 0,
    -- bumped first by every change, so concurrent changes of one loan queue up
    lock_version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, loan_no)
);
CREATE INDEX loans_member ON loans (cooperative_id, member_id, id);
CREATE INDEX loans_status ON loans (cooperative_id, status, id);

CREATE TABLE loan_installments (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    loan_id BIGINT NOT NULL REFERENCES loans(id),
    no BIGINT NOT NULL,
    due_date BIGINT NOT NULL,
    principal BIGINT NOT NULL,
    interest BIGINT NOT NULL,
    paid_principal BIGINT NOT NULL DEFAULT 0,
    paid_interest BIGINT NOT NULL DEFAULT 0,
    paid_denda BIGINT NOT NULL DEFAULT 0,
    -- interest not charged because the loan was paid off early
    waived_interest BIGINT NOT NULL DEFAULT 0,
    settled_on BIGINT,
    UNIQUE (loan_id, no)
);
CREATE INDEX loan_installments_loan ON loan_installments (cooperative_id, loan_id, no);

CREATE TABLE loan_repayments (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    loan_id BIGINT NOT NULL REFERENCES loans(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    receipt_no TEXT NOT NULL,
    -- installment | payoff
    kind TEXT NOT NULL,
    paid_on BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    denda BIGINT NOT NULL,
    interest BIGINT NOT NULL,
    principal BIGINT NOT NULL,
    interest_waived BIGINT NOT NULL DEFAULT 0,
    journal_entry_id BIGINT NOT NULL REFERENCES journal_entries(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (cooperative_id, receipt_no)
);
CREATE INDEX loan_repayments_loan ON loan_repayments (cooperative_id, loan_id, id);

-- How a repayment was split over the instalments it reached.
CREATE TABLE loan_repayment_parts (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    repayment_id BIGINT NOT NULL REFERENCES loan_repayments(id),
    loan_id BIGINT NOT NULL REFERENCES loans(id),
    installment_no BIGINT NOT NULL,
    paid_on BIGINT NOT NULL,
    denda BIGINT NOT NULL,
    interest BIGINT NOT NULL,
    principal BIGINT NOT NULL,
    interest_waived BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX loan_repayment_parts_loan ON loan_repayment_parts (cooperative_id, loan_id, installment_no);
