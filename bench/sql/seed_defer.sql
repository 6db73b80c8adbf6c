-- Before a seed: drops the secondary indexes, unique constraints and foreign keys of the tables
-- the seed fills, after saving how to rebuild each (bench.deferred_ddl; seed_restore.sql rebuilds
-- them). Maintaining them row by row made 1 M payments take 322 s, most of it in random inserts
-- into indexes larger than shared_buffers; building them once at the end is the usual bulk-load
-- order (Postgres manual, "Populating a Database"). Primary keys stay, so ids are still unique.
BEGIN;
-- The template payment's attempt, which seed.sql copies (without attempts_by_payment, finding it
-- in attempts would scan the table once per chunk).
DROP TABLE IF EXISTS bench.template_attempt;
CREATE TABLE bench.template_attempt AS SELECT * FROM attempts WHERE payment_id = :'template';
CREATE TABLE IF NOT EXISTS bench.deferred_ddl (rank int NOT NULL, drop_sql text NOT NULL,
                                               restore_sql text NOT NULL);
INSERT INTO bench.deferred_ddl (rank, drop_sql, restore_sql)
SELECT CASE c.contype WHEN 'u' THEN 2 ELSE 3 END,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid))
FROM pg_constraint c
WHERE c.conrelid IN ('payments'::regclass, 'attempts'::regclass, 'payment_events'::regclass,
                     'outbox_events'::regclass)
  AND c.contype IN ('u', 'f')
UNION ALL
SELECT 1, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid IN ('payments'::regclass, 'attempts'::regclass, 'payment_events'::regclass,
                     'outbox_events'::regclass)
  AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);

DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT drop_sql FROM bench.deferred_ddl ORDER BY rank DESC LOOP
    EXECUTE d.drop_sql;
  END LOOP;
END $$;
-- The stats rollup's trigger would append one delta per seeded row; seed_restore.sql rebuilds
-- the rollup from the rows in one grouped pass instead.
ALTER TABLE payments DISABLE TRIGGER payments_stats_written;
COMMIT;
