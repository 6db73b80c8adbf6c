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

-- The stats rollup (migration 20261206000201_stat_rollup), rebuilt from the rows exactly as the
-- migration first built it, with its trigger back on (seed_defer.sql turned it off).
BEGIN;
ALTER TABLE payments ENABLE TRIGGER payments_stats_written;
DELETE FROM stat_deltas;
DELETE FROM stat_hours;
INSERT INTO stat_hours
SELECT 'payment', payrail_epoch_hour(created_at), merchant_id, COALESCE(provider, ''),
       COALESCE(method, ''), currency, hosted, payrail_is_paid(status), count(*), sum(amount_minor)
FROM payments GROUP BY 2, 3, 4, 5, 6, 7, 8;
INSERT INTO stat_hours
SELECT 'refund', payrail_epoch_hour(created_at), merchant_id, '', '', currency, false,
       status = 'completed', count(*), sum(amount_minor)
FROM refunds GROUP BY 2, 3, 6, 8;
COMMIT;
