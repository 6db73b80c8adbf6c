-- Issue 15: the signing scheme and keyed refunds. A merchant may refuse the looser signed forms
-- (compatible | bound_reads | v2_only, see src/domain/request_signing.rs), and a remembered
-- signature keeps the method and path it was first used on, so its second use can be answered
-- from the idempotency record only when it is the same request.
ALTER TABLE merchants ADD COLUMN signature_policy text NOT NULL DEFAULT 'compatible';
ALTER TABLE request_replays ADD COLUMN method text;
ALTER TABLE request_replays ADD COLUMN path text;
-- The refund a keyed refund request created: a retry after an unknown outcome answers that
-- refund instead of making another, and a key that touched nothing is freed on failure.
ALTER TABLE idempotency_keys ADD COLUMN refund_id text;
