-- Shared limits (issue 19): what several instances on one Postgres must agree on.
-- docs/operations.md, "Limits shared by every instance".
--
-- A token bucket per key: `recheck:<merchant id>` (live rechecks) and `return:<payment id>`
-- (rechecks triggered by customer returns). One statement takes a token (INSERT … ON CONFLICT DO
-- UPDATE … RETURNING) and computes the refill from the time since `updated_at`. `full_at` is when
-- the bucket is full again: past it the row says nothing a missing row would not, and the
-- clean-up deletes it.
CREATE TABLE rate_buckets (
    key        text PRIMARY KEY,
    tokens     double precision NOT NULL,
    granted    boolean NOT NULL,
    updated_at timestamptz NOT NULL,
    full_at    timestamptz NOT NULL
);
CREATE INDEX rate_buckets_full_at ON rate_buckets (full_at);

-- A gateway account's circuit, open until `open_until` on every instance (no row: closed). Past
-- `open_until` it is half-open: the one instance that moves `open_until` on (the probe) calls.
-- `reason` is `outage` (consecutive failures) or `rate_limited` (the gateway's Retry-After).
CREATE TABLE gateway_circuits (
    account_id text PRIMARY KEY,
    provider   text NOT NULL,
    open_until timestamptz NOT NULL,
    reason     text NOT NULL
);
CREATE INDEX gateway_circuits_open_until ON gateway_circuits (open_until);
