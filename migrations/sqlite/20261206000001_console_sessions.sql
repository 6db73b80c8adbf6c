-- The ops console (issue 18, docs/console.md): server-side sessions, and the indexes its search
-- and overview need. Same as migrations/postgres, in SQLite's types (SQLite has no INCLUDE: the
-- time index carries the grouped columns as trailing keys).
--
-- A session is known by the SHA-256 of its id only: the cookie's value never rests in the
-- database. Deleting a row ends the session; the clean-up worker deletes expired ones.
CREATE TABLE console_sessions (
    id_hash      TEXT PRIMARY KEY,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

CREATE INDEX IF NOT EXISTS payments_by_created ON payments
    (created_at, status, provider, method, merchant_id, currency, amount_minor, hosted);
CREATE INDEX IF NOT EXISTS payments_by_status ON payments (status, created_at, id);
CREATE INDEX IF NOT EXISTS payments_by_order ON payments (order_id);
CREATE INDEX IF NOT EXISTS payments_by_external ON payments (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS refunds_by_created ON refunds (created_at);
-- A payment's merchant deliveries, on the console's payment page.
CREATE INDEX IF NOT EXISTS outbox_by_payment ON outbox_events (payment_id, sequence);
