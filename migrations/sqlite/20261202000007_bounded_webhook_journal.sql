-- Bounded webhook journal (issue 15): the journal keeps at most the first 16 KiB of a delivery's
-- body (`limits::JOURNAL_BODY`); these say how long the body received was and whether it was cut.
-- Rows written before this are whole: their length is the stored one.
ALTER TABLE webhook_journal ADD COLUMN body_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_journal ADD COLUMN body_truncated INTEGER NOT NULL DEFAULT 0;
UPDATE webhook_journal SET body_length = length(body);
