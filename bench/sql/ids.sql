-- Deterministic, ULID-shaped ids for seeded payments, shared by the seed, pgbench's scripts and
-- (reimplemented in bench/lua/payrail.lua) the load generator, so every side can draw a payment
-- uniformly from all N without a list of ids. Payment i was "created" at {{start_ms}} + i *
-- {{step_ms}} ms; its ULID is that time (48 bits) followed by i (40 bits) and a scramble of i
-- (40 bits), Crockford base32, like Payrail's own `pay_<ULID>` ids. Lives in schema `bench`,
-- which Payrail never reads. {{...}} are filled in by bench/driver.py.
CREATE SCHEMA IF NOT EXISTS bench;

-- The 1024 two-character Crockford pairs; immutable, so the planner folds it into a constant.
CREATE OR REPLACE FUNCTION bench.pairs() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(substr(a, i / 32 + 1, 1) || substr(a, i % 32 + 1, 1) ORDER BY i)
  FROM (SELECT '0123456789ABCDEFGHJKMNPQRSTVWXYZ'::text AS a) s, generate_series(0, 1023) AS i
$$;

-- One expression and no FROM, so Postgres inlines it and folds bench.pairs() once per query.
CREATE OR REPLACE FUNCTION bench.ulid(t bigint, r1 bigint, r2 bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (bench.pairs())[((t >> 40) & 1023) + 1]
      || (bench.pairs())[((t >> 30) & 1023) + 1]
      || (bench.pairs())[((t >> 20) & 1023) + 1]
      || (bench.pairs())[((t >> 10) & 1023) + 1]
      || (bench.pairs())[(t & 1023) + 1]
      || (bench.pairs())[((r1 >> 30) & 1023) + 1]
      || (bench.pairs())[((r1 >> 20) & 1023) + 1]
      || (bench.pairs())[((r1 >> 10) & 1023) + 1]
      || (bench.pairs())[(r1 & 1023) + 1]
      || (bench.pairs())[((r2 >> 30) & 1023) + 1]
      || (bench.pairs())[((r2 >> 20) & 1023) + 1]
      || (bench.pairs())[((r2 >> 10) & 1023) + 1]
      || (bench.pairs())[(r2 & 1023) + 1]
$$;

CREATE OR REPLACE FUNCTION bench.ms(i bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT {{start_ms}}::bigint + i * {{step_ms}}::bigint $$;

CREATE OR REPLACE FUNCTION bench.at(i bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT timestamptz 'epoch' + bench.ms(i) * interval '1 millisecond' $$;

-- Payment i's id; its attempt and events use the same ULID under their own prefixes.
CREATE OR REPLACE FUNCTION bench.pay_id(i bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT 'pay_' || bench.ulid(bench.ms(i), i, (i * 1000003) % 1099511627776) $$;
