-- Issue 20, create throughput (bench/results/2026-12-06-create-2.md): the gateway's answer to a
-- create (`store::create_rows::record_opened`) sets the payment's `external_id`,
-- `checkout_url`, `provider_status` and `updated_at`. Two indexes named two of those columns,
-- so the update could not be HOT: every create's second write added a new entry to each of
-- the table's ten indexes (n_tup_hot_upd 2 of 65 182 updates in a bench run), 19 WAL records
-- per outcome statement instead of 8.
--
-- `payments_open (status, updated_at)`: no query reads it (the reconciler and its lag use
-- `payments_recheck_due`; nothing filters or orders payments by `updated_at`). Dropped.
DROP INDEX IF EXISTS payments_open;

-- `payments_by_external`: the console's search by the gateway's id. The gateway's id is the
-- attempt's (a payment takes the id of the attempt that opened or paid it), so the search now
-- finds the payment through its attempts (`store::payment_list`), and this index serves it. It
-- also serves the webhook, return and report lookups of an attempt by (account, gateway id),
-- which had no index. An attempt's gateway fields are set once, by the same statement, so that
-- update is no longer HOT: four index entries on `attempts` instead of ten on `payments`.
CREATE INDEX IF NOT EXISTS attempts_by_external ON attempts (external_id) WHERE external_id IS NOT NULL;
DROP INDEX IF EXISTS payments_by_external;

-- Room on each page for the one update a new payment gets a few milliseconds after its insert,
-- so the new version fits beside the old (HOT needs the same page). Applies to pages written
-- from now on; nothing is rewritten.
ALTER TABLE payments SET (fillfactor = 90);
