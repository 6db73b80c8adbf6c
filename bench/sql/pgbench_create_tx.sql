-- pgbench reference for `create`: the insert transaction Payrail commits before it calls the
-- gateway (orchestration::create_payment::record_new), preceded by the idempotency-key insert
-- (store::idempotency::try_begin), with the same SQL and values of the same shape. Payrail does
-- more per create (a second transaction with the gateway's answer, the key's final answer, the
-- gateway call itself); bench_create_all.sql has every statement, for comparison.
\set r random(1, 1099511627775)
INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, created_at, expires_at)
  VALUES (:m, 'pg-' || :client_id || '-' || :r, md5(:r::text) || md5(:client_id::text), 'in_flight',
          now() + interval '60 seconds', now(), now() + interval '1 day')
  ON CONFLICT (merchant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, state = 'in_flight',
     locked_until = EXCLUDED.locked_until, payment_id = NULL, response_status = NULL, response_body = NULL,
     created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
  WHERE idempotency_keys.expires_at <= now()
  RETURNING true;
BEGIN;
INSERT INTO payments (id, merchant_id, status, amount_minor, currency, order_id, provider, method,
    account_id, callback_url, return_url, cancel_url, customer, description, metadata, return_token,
    expires_at, created_at, updated_at, next_recheck_at)
  VALUES ('pay_' || bench.ulid(:now_ms, :r, :client_id), :m, 'pending', 1000, 'USD', 'pg-' || :client_id || '-' || :r,
    'paystablecoin', NULL, :acc, NULL, NULL, NULL, '{}', NULL, NULL, md5(:r::text),
    now() + interval '30 minutes', now(), now(), now() + interval '60 seconds')
  RETURNING *;
INSERT INTO attempts (id, payment_id, account_id, provider, reference, state, created_at, updated_at)
  VALUES ('att_' || bench.ulid(:now_ms, :r, :client_id), 'pay_' || bench.ulid(:now_ms, :r, :client_id), :acc,
    'paystablecoin', 'att_' || bench.ulid(:now_ms, :r, :client_id), 'creating', now(), now())
  RETURNING *;
INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at)
  VALUES ('tle_' || bench.ulid(:now_ms, :r, :client_id), 'pay_' || bench.ulid(:now_ms, :r, :client_id),
    'payment.created', NULL, 'pending', 'api', '{"attempt_id":"att_x","provider":"paystablecoin"}', now());
UPDATE idempotency_keys SET payment_id = 'pay_' || bench.ulid(:now_ms, :r, :client_id)
  WHERE merchant_id = :m AND key = 'pg-' || :client_id || '-' || :r;
END;
