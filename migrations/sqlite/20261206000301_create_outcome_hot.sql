-- Issue 20, create throughput: the same indexes as migrations/postgres (which says why). SQLite
-- has no HOT updates and no fillfactor; its schema keeps the same indexes so the console's
-- search by the gateway's id reads the same way on both stores.
DROP INDEX IF EXISTS payments_open;
CREATE INDEX IF NOT EXISTS attempts_by_external ON attempts (external_id) WHERE external_id IS NOT NULL;
DROP INDEX IF EXISTS payments_by_external;
