-- The gateway's id of the charge inside an order (HitPay payment_id: refunds are made against
-- it; Pakhi Pay transaction_id: its verify call needs it).
ALTER TABLE attempts ADD COLUMN charge_id TEXT;

-- Refunds. The sum of pending and completed refunds of a payment never exceeds its amount: the
-- check runs under the payment's row lock, in the transaction that inserts the refund.
CREATE TABLE refunds (
    id               TEXT PRIMARY KEY,
    payment_id       TEXT NOT NULL REFERENCES payments (id),
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    attempt_id       TEXT NOT NULL REFERENCES attempts (id),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,  -- pending | completed | failed
    reason           TEXT,
    reference        TEXT NOT NULL,  -- what the gateway knows the refund by (derived from the id)
    external_id      TEXT,
    provider_status  TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX refunds_by_payment ON refunds (payment_id, created_at);
CREATE INDEX refunds_by_reference ON refunds (reference);
