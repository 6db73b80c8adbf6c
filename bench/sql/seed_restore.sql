-- After a seed: rebuilds what seed_defer.sql dropped, indexes first, then unique constraints,
-- then foreign keys (which Postgres validates against the seeded rows in one pass each).
-- Memory for the index sorts and for the joins that validate each foreign key (the machine has
-- 24 GiB; the defaults would spill a 10 M-row validation to disk in batches).
SET maintenance_work_mem = '1GB';
SET work_mem = '512MB';
BEGIN;
DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT restore_sql FROM bench.deferred_ddl ORDER BY rank LOOP
    EXECUTE d.restore_sql;
  END LOOP;
END $$;
DELETE FROM bench.deferred_ddl;
COMMIT;

-- The stats rollup (migration 20261206000201_stat_rollup), rebuilt from the rows in one grouped
-- pass with its trigger back on (seed_defer.sql turned it off). One transaction, nothing else
-- writes.
BEGIN;
ALTER TABLE payments ENABLE TRIGGER payments_stats_written;
SELECT payrail_rebuild_stat_rollup();
COMMIT;
