-- pgbench reference for `verify` and `retrieve`: the primary-key read Payrail runs per request
-- (store::payments::get_for_merchant), on a payment drawn uniformly from the N seeded ones.
-- Payrail also reads the merchant's secrets per request; this script deliberately does not,
-- so the ratio shows the whole cost of Payrail's per-request work against one bare select.
\set i random(0, :n - 1)
SELECT * FROM payments WHERE id = bench.pay_id(:i) AND merchant_id = :m;
