-- Money invariants (issue 14): a payment's refunded amount is always the sum of its settled
-- refund rows, whoever made the refund; a refund whose outcome is unknown is settled from the
-- gateway's own record and never stays pending without bound; and every merchant event has
-- exactly one timeline entry, so `payrail audit` can check them against each other.

-- `api`: made through Payrail; `gateway`: made at the gateway (its dashboard), learnt from a
-- webhook or a recheck and recorded so the payment's money adds up.
ALTER TABLE refunds ADD COLUMN origin text NOT NULL DEFAULT 'api';
-- Why a refund failed or needs ops (e.g. the gateway never confirmed it).
ALTER TABLE refunds ADD COLUMN status_detail text;
-- The reconciler settles pending refunds on a schedule, under a lease like payments.
ALTER TABLE refunds ADD COLUMN next_recheck_at timestamptz;
ALTER TABLE refunds ADD COLUMN recheck_lease_until timestamptz;
CREATE INDEX refunds_recheck_due ON refunds (next_recheck_at) WHERE status = 'pending';
UPDATE refunds SET next_recheck_at = updated_at WHERE status = 'pending';
-- One row per refund the gateway holds: the same gateway refund learnt twice is one row.
CREATE UNIQUE INDEX refunds_by_gateway_id ON refunds (attempt_id, external_id) WHERE external_id IS NOT NULL;

-- The merchant event a timeline entry announced (its outbox `sequence`); NULL for entries that
-- are notes. Backfilled by matching each payment's entries and events of one type in order.
ALTER TABLE payment_events ADD COLUMN sequence integer;
WITH o AS (
    SELECT payment_id, sequence, type,
           ROW_NUMBER() OVER (PARTITION BY payment_id, type ORDER BY sequence) AS k
    FROM outbox_events
), t AS (
    SELECT id, payment_id, type,
           ROW_NUMBER() OVER (PARTITION BY payment_id, type ORDER BY created_at, id) AS k
    FROM payment_events
    WHERE from_status IS NOT NULL OR type IN ('refund.completed', 'refund.failed')
)
UPDATE payment_events SET sequence = m.sequence
FROM (SELECT t.id, o.sequence FROM t JOIN o ON o.payment_id = t.payment_id AND o.type = t.type AND o.k = t.k) m
WHERE payment_events.id = m.id;
CREATE UNIQUE INDEX payment_events_by_sequence ON payment_events (payment_id, sequence) WHERE sequence IS NOT NULL;

-- A charge (the gateway's id of money inside one order: HitPay payment_id, …) that took money
-- after another charge had already settled the attempt: the customer paid twice. The attempt's
-- own `charge_id` is the settling charge and never changes once money settled on it; each
-- duplicate is recorded once (the payment goes to review) and stays until ops settle it.
CREATE TABLE duplicate_charges (
    attempt_id       text NOT NULL REFERENCES attempts (id),
    charge_id        text NOT NULL,
    payment_id       text NOT NULL REFERENCES payments (id),
    provider_status  text,
    created_at       timestamptz NOT NULL,
    settled_at       timestamptz,
    PRIMARY KEY (attempt_id, charge_id)
);
CREATE INDEX duplicate_charges_by_payment ON duplicate_charges (payment_id);

-- An underpaid payment in review is rechecked until its window closes: the customer may top up.
DROP INDEX payments_recheck_due;
CREATE INDEX payments_recheck_due ON payments (next_recheck_at) WHERE status IN ('pending', 'processing', 'needs_review');
