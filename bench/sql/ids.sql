-- Deterministic, ULID-shaped ids for seeded payments, shared by the seed, pgbench's scripts and
-- (reimplemented in bench/lua/payrail.lua) the load generator, so every side can draw a payment
-- uniformly from all N without a list of ids. Payment i was "created" at {{start_ms}} + i *
-- {{step_ms}} ms; its ULID is that time (48 bits) followed by i (40 bits) and a scramble of i
-- (40 bits), Crockford base32, like Payrail's own `pay_<ULID>` ids. Lives in schema `bench`,
-- which Payrail never reads. {{...}} are filled in by bench/driver.py.
CREATE SCHEMA IF NOT EXISTS bench;

-- One Crockford base32 character: bits shift..shift+4 of v. Plain expressions that Postgres inlines
-- into the caller: a lookup table built by a function call was folded at every planning, which cost
-- 2 ms per id and made pgbench's custom-planned reference scripts CPU-bound (12 TPS for create).
CREATE OR REPLACE FUNCTION bench.c32(v bigint, shift int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v >> shift) & 31)::int + 1, 1)
$$;

-- 26 characters: t in 10 (48 bits, the first holding 3), r1 and r2 in 8 each (40 bits).
CREATE OR REPLACE FUNCTION bench.ulid(t bigint, r1 bigint, r2 bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT bench.c32(t, 45) || bench.c32(t, 40) || bench.c32(t, 35) || bench.c32(t, 30)
      || bench.c32(t, 25) || bench.c32(t, 20) || bench.c32(t, 15) || bench.c32(t, 10)
      || bench.c32(t, 5) || bench.c32(t, 0) || bench.c32(r1, 35) || bench.c32(r1, 30)
      || bench.c32(r1, 25) || bench.c32(r1, 20) || bench.c32(r1, 15) || bench.c32(r1, 10)
      || bench.c32(r1, 5) || bench.c32(r1, 0) || bench.c32(r2, 35) || bench.c32(r2, 30)
      || bench.c32(r2, 25) || bench.c32(r2, 20) || bench.c32(r2, 15) || bench.c32(r2, 10)
      || bench.c32(r2, 5) || bench.c32(r2, 0)
$$;

CREATE OR REPLACE FUNCTION bench.ms(i bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT {{start_ms}}::bigint + i * {{step_ms}}::bigint $$;

CREATE OR REPLACE FUNCTION bench.at(i bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT timestamptz 'epoch' + bench.ms(i) * interval '1 millisecond' $$;

-- Payment i's id; its attempt and events use the same ULID under their own prefixes.
CREATE OR REPLACE FUNCTION bench.pay_id(i bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT 'pay_' || bench.ulid(bench.ms(i), i, (i * 1000003) % 1099511627776) $$;
