-- pgbench: every statement one Payrail `create` (with an idempotency key) runs, in the same
-- transactions, without the gateway's HTTP call: auth's secret read, the key, the routing reads,
-- the insert transaction, the outcome transaction and the key's stored answer. For comparison only;
-- the issue's reference for create is pgbench_create_tx.sql.
\set r random(1, 1099511627775)
SELECT id, secret_enc FROM merchant_secrets WHERE merchant_id = :m AND (expires_at IS NULL OR expires_at > now())
  ORDER BY created_at DESC, id DESC;
INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, created_at, expires_at)
  VALUES (:m, 'pg-' || :client_id || '-' || :r, md5(:r::text) || md5(:client_id::text), 'in_flight',
          now() + interval '60 seconds', now(), now() + interval '1 day')
  ON CONFLICT (merchant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, state = 'in_flight',
     locked_until = EXCLUDED.locked_until, payment_id = NULL, response_status = NULL, response_body = NULL,
     created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
  WHERE idempotency_keys.expires_at <= now()
  RETURNING true;
SELECT * FROM provider_accounts WHERE merchant_id = :m AND enabled ORDER BY priority, created_at;
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
SELECT * FROM provider_accounts WHERE id = :acc;
BEGIN;
UPDATE attempts SET state = 'open', external_id = 'ext-' || :r, checkout_url = 'http://127.0.0.1/checkout/' || :r,
    provider_status = 'INIT', last_error = NULL, updated_at = now(), charge_id = NULL
  WHERE id = 'att_' || bench.ulid(:now_ms, :r, :client_id);
SELECT * FROM payments WHERE id = 'pay_' || bench.ulid(:now_ms, :r, :client_id) FOR UPDATE;
UPDATE payments SET status = 'pending', refunded_minor = 0, external_id = 'ext-' || :r,
    checkout_url = 'http://127.0.0.1/checkout/' || :r, status_detail = NULL, provider_status = 'INIT',
    event_sequence = 0, updated_at = now(), completed_at = NULL
  WHERE id = 'pay_' || bench.ulid(:now_ms, :r, :client_id);
INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at)
  VALUES ('tle_' || bench.ulid(:now_ms, :r::bigint + 1, :client_id), 'pay_' || bench.ulid(:now_ms, :r, :client_id),
    'attempt.created', NULL, NULL, 'api', '{"attempt_id":"att_x","external_id":"ext"}', now());
END;
UPDATE idempotency_keys SET state = 'done', locked_until = NULL, response_status = 201,
    response_body = convert_to(repeat('x', 380), 'UTF8')
  WHERE merchant_id = :m AND key = 'pg-' || :client_id || '-' || :r;
