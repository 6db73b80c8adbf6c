-- Outbox delivery: a worker claims due events with a lease (so several instances never send
-- the same event at once), sends without holding a row lock, and records the outcome.
ALTER TABLE outbox_events ADD COLUMN lease_until TEXT;
ALTER TABLE outbox_events ADD COLUMN stopped_at TEXT;
ALTER TABLE outbox_events ADD COLUMN last_status INTEGER;
ALTER TABLE outbox_events ADD COLUMN last_error TEXT;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox_events (next_attempt_at) WHERE delivered_at IS NULL AND stopped_at IS NULL;

-- Reconciliation: the next recheck of an open payment is written before the gateway is asked,
-- so a crash cannot leave a payment nobody looks at again.
ALTER TABLE payments ADD COLUMN next_recheck_at TEXT;
ALTER TABLE payments ADD COLUMN recheck_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN recheck_lease_until TEXT;
CREATE INDEX payments_recheck_due ON payments (next_recheck_at) WHERE status IN ('pending', 'processing');
