-- Shared limits (issue 19). The embedded store is one process's, which keeps these limits in
-- memory; the tables exist so both engines' schemas stay parallel (and the clean-up runs the same
-- statement on both). docs/operations.md, "Limits shared by every instance".
CREATE TABLE rate_buckets (
    key        text PRIMARY KEY,
    tokens     double precision NOT NULL,
    granted    boolean NOT NULL,
    updated_at text NOT NULL,
    full_at    text NOT NULL
);
CREATE INDEX rate_buckets_full_at ON rate_buckets (full_at);

CREATE TABLE gateway_circuits (
    account_id text PRIMARY KEY,
    provider   text NOT NULL,
    open_until text NOT NULL,
    reason     text NOT NULL
);
CREATE INDEX gateway_circuits_open_until ON gateway_circuits (open_until);
