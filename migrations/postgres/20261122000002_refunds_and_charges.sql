-- The gateway's id of the charge inside an order (HitPay payment_id: refunds are made against
-- it; Pakhi Pay transaction_id: its verify call needs it).
ALTER TABLE attempts ADD COLUMN charge_id text;

-- Refunds. The sum of pending and completed refunds of a payment never exceeds its amount: the
-- check runs under the payment's row lock, in the transaction that inserts the refund.
CREATE TABLE refunds (
    id               text PRIMARY KEY,
    payment_id       text NOT NULL REFERENCES payments (id),
    merchant_id      text NOT NULL REFERENCES merchants (id),
    attempt_id       text NOT NULL REFERENCES attempts (id),
    amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
    currency         text NOT NULL,
    status           text NOT NULL,  -- pending | completed | failed
    reason           text,
    reference        text NOT NULL,  -- what the gateway knows the refund by (derived from the id)
    external_id      text,
    provider_status  text,
    last_error       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX refunds_by_payment ON refunds (payment_id, created_at);
CREATE INDEX refunds_by_reference ON refunds (reference);
