-- SHU (sisa hasil usaha): the RAT's allocation for a fiscal year, the one posting of
-- that year's SHU, and each member's share as it was posted (for the slips).
CREATE TABLE shu_allocations (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    year BIGINT NOT NULL,
    -- JSON: [{"name", "kind", "rate", "account"}] (domain ShuPoolShare + the account
    -- the pool is credited to)
    pools TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year)
);

CREATE TABLE shu_runs (
    id %ID%,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    year BIGINT NOT NULL,
    -- the allocation as posted (same JSON as shu_allocations.pools)
    pools TEXT NOT NULL,
    surplus BIGINT NOT NULL,
    surplus_members BIGINT NOT NULL,
    surplus_non_members BIGINT NOT NULL,
    reserve_total BIGINT NOT NULL,
    jasa_modal_pool BIGINT NOT NULL,
    jasa_anggota_pool BIGINT NOT NULL,
    total_capital BIGINT NOT NULL,
    total_transactions BIGINT NOT NULL,
    members BIGINT NOT NULL,
    closing_entry_id BIGINT NOT NULL REFERENCES journal_entries(id),
    distribution_entry_id BIGINT NOT NULL REFERENCES journal_entries(id),
    posted_by TEXT NOT NULL,
    posted_at BIGINT NOT NULL,
    -- a year's SHU is posted once
    UNIQUE (cooperative_id, year)
);

CREATE TABLE shu_member_shares (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    year BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    savings_capital BIGINT NOT NULL,
    transactions BIGINT NOT NULL,
    jasa_modal BIGINT NOT NULL,
    jasa_anggota BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year, member_id)
);
