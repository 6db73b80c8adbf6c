-- Issue 15: the signing scheme. A merchant may refuse the looser signed forms
-- (compatible | bound_reads | v2_only, see src/domain/request_signing.rs), and a remembered
-- signature keeps the method and path it was first used on, so its second use can be answered
-- from the idempotency record only when it is the same request.
ALTER TABLE merchants ADD COLUMN signature_policy text NOT NULL DEFAULT 'compatible';
ALTER TABLE request_replays ADD COLUMN method text;
ALTER TABLE request_replays ADD COLUMN path text;
