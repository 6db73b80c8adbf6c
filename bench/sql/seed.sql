-- Seeds payments :lo .. :hi-1 (psql variables) straight into Payrail's tables, copying the shape of
-- a real payment that Payrail created through its API and the PayStableCoin simulator (:template):
-- the same merchant, account, columns and value lengths; per row only the ids, times, order id,
-- gateway ids, amount and final status change. Each payment gets its attempt, its timeline
-- (created, attempt created, then completed or expired) and the merchant event of that change
-- (delivered), as a settled payment has, so `payrail audit` finds the seeded store clean. 9 in
-- 10 are completed, 1 in 10 expired; none is open, so the reconciler has nothing to recheck.
-- Run in chunks by bench/driver.py (one transaction per chunk, two chunks at a time, between
-- seed_defer.sql and seed_restore.sql).
BEGIN;
CREATE TEMP TABLE seed_rows ON COMMIT DROP AS
SELECT g.i,
       bench.ulid(bench.ms(g.i), g.i, (g.i * 1000003) % 1099511627776) AS u,
       bench.at(g.i) AS at,
       CASE WHEN g.i % 10 = 0 THEN 'expired' ELSE 'completed' END AS status
FROM generate_series(:lo::bigint, :hi::bigint - 1) AS g(i);

INSERT INTO payments (id, merchant_id, status, amount_minor, currency, refunded_minor, order_id,
    provider, method, account_id, external_id, checkout_url, callback_url, return_url, cancel_url,
    customer, description, metadata, status_detail, provider_status, return_token, event_sequence,
    expires_at, created_at, updated_at, completed_at, next_recheck_at, recheck_count,
    recheck_lease_until, paid_attempt_id)
SELECT 'pay_' || s.u, t.merchant_id, s.status, 100 + s.i % 100000, t.currency, 0, 'seed-' || s.i,
    t.provider, t.method, t.account_id, t.external_id || '-' || s.i,
    replace(t.checkout_url, t.external_id, t.external_id || '-' || s.i), t.callback_url,
    t.return_url, t.cancel_url, t.customer, t.description, t.metadata,
    CASE WHEN s.status = 'expired' THEN 'expired' END,
    CASE WHEN s.status = 'completed' THEN 'SUCCEEDED' ELSE 'EXPIRED' END,
    translate(substr(encode(sha256(int8send(s.i)), 'base64'), 1, 24), '+/', '-_'),
    1,
    s.at + interval '30 minutes', s.at, s.at + interval '2 minutes',
    CASE WHEN s.status = 'completed' THEN s.at + interval '2 minutes' END, NULL, 1, NULL,
    CASE WHEN s.status = 'completed' THEN 'att_' || s.u END
FROM seed_rows s, payments t WHERE t.id = :'template';

INSERT INTO attempts (id, payment_id, account_id, provider, reference, state, external_id,
    checkout_url, provider_status, last_error, created_at, updated_at, charge_id)
SELECT 'att_' || s.u, 'pay_' || s.u, a.account_id, a.provider, 'att_' || s.u, 'open',
    a.external_id || '-' || s.i, replace(a.checkout_url, a.external_id, a.external_id || '-' || s.i),
    CASE WHEN s.status = 'completed' THEN 'SUCCEEDED' ELSE 'EXPIRED' END, NULL, s.at,
    s.at + interval '2 minutes', a.charge_id
FROM seed_rows s, bench.template_attempt a;

INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at,
    sequence)
SELECT 'tle_' || bench.ulid(bench.ms(s.i), s.i, k), 'pay_' || s.u,
    (ARRAY['payment.created', 'attempt.created', 'payment.' || s.status])[k],
    CASE WHEN k = 3 THEN 'pending' END,
    CASE k WHEN 1 THEN 'pending' WHEN 3 THEN s.status END,
    CASE k WHEN 3 THEN CASE WHEN s.status = 'completed' THEN 'provider_webhook' ELSE 'reconciler' END ELSE 'api' END,
    json_build_object('attempt_id', 'att_' || s.u, 'provider', 'paystablecoin')::text,
    s.at + (k - 1) * interval '1 minute',
    CASE WHEN k = 3 THEN 1 END
FROM seed_rows s, generate_series(1, 3) AS k;

INSERT INTO outbox_events (id, merchant_id, payment_id, type, sequence, payload, target_url,
    attempts, next_attempt_at, delivered_at, created_at, last_status)
SELECT 'evt_' || bench.ulid(bench.ms(s.i), s.i, 4), t.merchant_id, 'pay_' || s.u,
    'payment.' || s.status, 1,
    json_build_object('id', 'evt_' || bench.ulid(bench.ms(s.i), s.i, 4),
                      'type', 'payment.' || s.status, 'sequence', 1,
                      'data', json_build_object('id', 'pay_' || s.u, 'status', s.status))::text,
    'https://shop.example/hook', 1, s.at + interval '2 minutes', s.at + interval '2 minutes',
    s.at + interval '2 minutes', 200
FROM seed_rows s, payments t WHERE t.id = :'template';
COMMIT;
