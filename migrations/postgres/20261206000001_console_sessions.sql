-- The ops console (issue 18, docs/console.md): server-side sessions, and the indexes its search
-- and overview need at ten million payments.
--
-- A session is known by the SHA-256 of its id only: the cookie's value never rests in the
-- database, so a leaked table cannot sign anyone in. Deleting a row ends the session on every
-- instance; the clean-up worker deletes expired ones.
CREATE TABLE console_sessions (
    id_hash      text PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- The overview and /v1/admin/stats read one time window across every merchant: an index on
-- created_at that carries the grouped columns answers them from the index alone.
CREATE INDEX IF NOT EXISTS payments_by_created ON payments (created_at)
    INCLUDE (status, provider, method, merchant_id, currency, amount_minor, hosted);
-- The console's search across merchants by status (the review queue: oldest first), by order
-- id and by the gateway's id.
CREATE INDEX IF NOT EXISTS payments_by_status ON payments (status, created_at, id);
CREATE INDEX IF NOT EXISTS payments_by_order ON payments (order_id);
CREATE INDEX IF NOT EXISTS payments_by_external ON payments (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS refunds_by_created ON refunds (created_at);
-- A payment's merchant deliveries, on the console's payment page.
CREATE INDEX IF NOT EXISTS outbox_by_payment ON outbox_events (payment_id, sequence);
