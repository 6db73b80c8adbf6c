-- What the gateway took for a payment, in the payment's minor units, as its settling attempt's
-- latest report says (docs/money.md, "Refunds"): refunds are bounded by it, never by the amount
-- due alone, so an underpaid payment is never refunded more than arrived. NULL: not recorded
-- (a payment paid before this column, or one whose gateway did not say); a payment held for
-- money that does not match is then not refundable until a recheck records it, and any other
-- paid payment took its amount.
ALTER TABLE payments ADD COLUMN received_minor bigint;
