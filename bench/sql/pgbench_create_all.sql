-- pgbench: every statement one Payrail `create` (with an idempotency key) runs, in the same
-- transactions, without the gateway's HTTP call: auth's replay record (the merchant's secret is
-- cached), the key, the routing read (accounts with their shared circuits), the insert statement,
-- and the outcome statement, which also stores the key's answer. Five statements, each its own
-- transaction; the lists as Postgres logged them are in bench/results/2026-12-06-create.md.
-- For comparison only; the issue's reference for create is pgbench_create_tx.sql.
\set r random(1, 1099511627775)
INSERT INTO request_replays (merchant_id, signature, expires_at, method, path)
  VALUES (:m, md5(:r::text) || md5(:client_id::text), now() + interval '5 minutes', 'POST', '/v1/payments')
  ON CONFLICT DO NOTHING;
INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, created_at, expires_at)
  VALUES (:m, 'pg-' || :client_id || '-' || :r, md5(:r::text) || md5(:client_id::text), 'in_flight',
          now() + interval '60 seconds', now(), now() + interval '1 day')
  ON CONFLICT (merchant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, state = 'in_flight',
     locked_until = EXCLUDED.locked_until, payment_id = NULL, response_status = NULL, response_body = NULL,
     created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
  WHERE idempotency_keys.expires_at <= now()
  RETURNING true;
SELECT a.*, c.open_until AS circuit_open_until
  FROM provider_accounts a LEFT JOIN gateway_circuits c ON c.account_id = a.id
  WHERE a.merchant_id = :m AND a.enabled ORDER BY a.priority, a.created_at;
WITH p AS (
    INSERT INTO payments (id, merchant_id, status, amount_minor, currency, order_id, provider, method,
        account_id, callback_url, return_url, cancel_url, customer, description, metadata, return_token,
        expires_at, created_at, updated_at, next_recheck_at, hosted, checkout_url)
    VALUES ('pay_' || bench.ulid(:now_ms, :r, :client_id), :m, 'pending', 1000, 'USD', 'pg-' || :client_id || '-' || :r,
        'paystablecoin', NULL, :acc, NULL, NULL, NULL, '{}', NULL, NULL, md5(:r::text),
        now() + interval '30 minutes', now(), now(), now() + interval '60 seconds', false, NULL)
    RETURNING *),
 a AS (
    INSERT INTO attempts (id, payment_id, account_id, provider, reference, state, created_at, updated_at)
    SELECT 'att_' || bench.ulid(:now_ms, :r, :client_id), p.id, :acc, 'paystablecoin',
        'att_' || bench.ulid(:now_ms, :r, :client_id), 'creating', now(), now() FROM p),
 e AS (
    INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at, sequence)
    SELECT 'tle_' || bench.ulid(:now_ms, :r, :client_id), p.id, 'payment.created', NULL, 'pending', 'api',
        '{"attempt_id":"att_x","provider":"paystablecoin"}', now(), NULL FROM p),
 k AS (
    UPDATE idempotency_keys SET payment_id = p.id FROM p
    WHERE idempotency_keys.merchant_id = :m AND idempotency_keys.key = 'pg-' || :client_id || '-' || :r)
 SELECT * FROM p;
WITH p AS (
    UPDATE payments SET external_id = 'ext-' || :r, checkout_url = 'http://127.0.0.1/checkout/' || :r,
        provider_status = 'INIT', updated_at = now()
    WHERE id = 'pay_' || bench.ulid(:now_ms, :r, :client_id) RETURNING *),
 a AS (
    UPDATE attempts SET external_id = 'ext-' || :r, checkout_url = 'http://127.0.0.1/checkout/' || :r,
        provider_status = 'INIT', last_error = NULL, charge_id = NULL, state = COALESCE('open', attempts.state),
        updated_at = now()
    FROM p WHERE attempts.id = 'att_' || bench.ulid(:now_ms, :r, :client_id)),
 e AS (
    INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at, sequence)
    SELECT 'tle_' || bench.ulid(:now_ms, :r::bigint + 1, :client_id), p.id, 'attempt.created', NULL, NULL, 'api',
        '{"attempt_id":"att_x","external_id":"ext"}', now(), NULL FROM p),
 k AS (
    UPDATE idempotency_keys SET state = 'done', locked_until = NULL, response_status = 201,
        response_body = convert_to(repeat('x', 380), 'UTF8')
    FROM p WHERE idempotency_keys.merchant_id = :m AND idempotency_keys.key = 'pg-' || :client_id || '-' || :r
      AND p.status = 'pending' AND p.provider IS NOT DISTINCT FROM 'paystablecoin' AND p.method IS NOT DISTINCT FROM NULL
    RETURNING true)
 SELECT p.*, EXISTS (SELECT 1 FROM k) AS key_answered FROM p;
