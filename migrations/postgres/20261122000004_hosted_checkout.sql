-- Hosted checkout (design §4): a payment created with neither `provider` nor `method` is
-- `hosted`: the customer picks a method on Payrail's page, and each pick is a new attempt. A
-- failed or cancelled attempt closes only itself; the payment stays open for another pick.
ALTER TABLE payments ADD COLUMN hosted boolean NOT NULL DEFAULT false;
-- The attempt whose money settled the payment. A second attempt reporting money is a double
-- payment: the payment goes to `needs_review` so the duplicate is refunded.
ALTER TABLE payments ADD COLUMN paid_attempt_id text REFERENCES attempts (id);
UPDATE payments SET paid_attempt_id = (
    SELECT a.id FROM attempts a WHERE a.payment_id = payments.id ORDER BY a.created_at DESC, a.id DESC LIMIT 1
) WHERE status IN ('completed', 'partially_refunded', 'refunded', 'needs_review');

-- What the customer sees on the hosted page.
ALTER TABLE merchants ADD COLUMN display_name text;
ALTER TABLE merchants ADD COLUMN logo_url text;
