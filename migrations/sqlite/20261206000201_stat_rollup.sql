-- Hourly rollup of payments and refunds for the console's overview and /v1/admin/stats
-- (issue 18, docs/console.md, "Stats at scale"). Same as migrations/postgres, in SQLite's
-- types and trigger syntax: triggers append signed deltas in the writer's transaction, the
-- clean-up worker folds them into `stat_hours`, readers add what is not folded yet. The hour is
-- counted from the Unix epoch in UTC; booleans are 0/1.

CREATE TABLE stat_hours (
    kind          TEXT NOT NULL,
    hour          INTEGER NOT NULL,
    merchant_id   TEXT NOT NULL,
    provider      TEXT NOT NULL,
    method        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    hosted        INTEGER NOT NULL,
    done          INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    amount_minor  INTEGER NOT NULL,
    PRIMARY KEY (hour, kind, merchant_id, provider, method, currency, hosted, done)
);

CREATE TABLE stat_deltas (
    kind          TEXT NOT NULL,
    hour          INTEGER NOT NULL,
    merchant_id   TEXT NOT NULL,
    provider      TEXT NOT NULL,
    method        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    hosted        INTEGER NOT NULL,
    done          INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    amount_minor  INTEGER NOT NULL
);

CREATE TRIGGER payments_stats_inserted AFTER INSERT ON payments BEGIN
    INSERT INTO stat_deltas VALUES ('payment', CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600, NEW.merchant_id,
        COALESCE(NEW.provider, ''), COALESCE(NEW.method, ''), NEW.currency, NEW.hosted,
        NEW.status IN ('completed', 'partially_refunded', 'refunded'), 1, NEW.amount_minor);
END;

CREATE TRIGGER payments_stats_deleted AFTER DELETE ON payments BEGIN
    INSERT INTO stat_deltas VALUES ('payment', CAST(strftime('%s', OLD.created_at) AS INTEGER) / 3600, OLD.merchant_id,
        COALESCE(OLD.provider, ''), COALESCE(OLD.method, ''), OLD.currency, OLD.hosted,
        OLD.status IN ('completed', 'partially_refunded', 'refunded'), -1, -OLD.amount_minor);
END;

-- Most updates (timestamps, sequence numbers, gateway fields) move no cell and fire nothing.
CREATE TRIGGER payments_stats_moved AFTER UPDATE ON payments
WHEN OLD.created_at IS NOT NEW.created_at
  OR OLD.merchant_id IS NOT NEW.merchant_id
  OR OLD.provider IS NOT NEW.provider
  OR OLD.method IS NOT NEW.method
  OR OLD.currency IS NOT NEW.currency
  OR OLD.hosted IS NOT NEW.hosted
  OR OLD.amount_minor IS NOT NEW.amount_minor
  OR (OLD.status IN ('completed', 'partially_refunded', 'refunded'))
     IS NOT (NEW.status IN ('completed', 'partially_refunded', 'refunded'))
BEGIN
    INSERT INTO stat_deltas VALUES ('payment', CAST(strftime('%s', OLD.created_at) AS INTEGER) / 3600, OLD.merchant_id,
        COALESCE(OLD.provider, ''), COALESCE(OLD.method, ''), OLD.currency, OLD.hosted,
        OLD.status IN ('completed', 'partially_refunded', 'refunded'), -1, -OLD.amount_minor);
    INSERT INTO stat_deltas VALUES ('payment', CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600, NEW.merchant_id,
        COALESCE(NEW.provider, ''), COALESCE(NEW.method, ''), NEW.currency, NEW.hosted,
        NEW.status IN ('completed', 'partially_refunded', 'refunded'), 1, NEW.amount_minor);
END;

CREATE TRIGGER refunds_stats_inserted AFTER INSERT ON refunds BEGIN
    INSERT INTO stat_deltas VALUES ('refund', CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600, NEW.merchant_id, '', '',
        NEW.currency, 0, NEW.status = 'completed', 1, NEW.amount_minor);
END;

CREATE TRIGGER refunds_stats_deleted AFTER DELETE ON refunds BEGIN
    INSERT INTO stat_deltas VALUES ('refund', CAST(strftime('%s', OLD.created_at) AS INTEGER) / 3600, OLD.merchant_id, '', '',
        OLD.currency, 0, OLD.status = 'completed', -1, -OLD.amount_minor);
END;

CREATE TRIGGER refunds_stats_moved AFTER UPDATE ON refunds
WHEN OLD.created_at IS NOT NEW.created_at
  OR OLD.merchant_id IS NOT NEW.merchant_id
  OR OLD.currency IS NOT NEW.currency
  OR OLD.amount_minor IS NOT NEW.amount_minor
  OR (OLD.status = 'completed') IS NOT (NEW.status = 'completed')
BEGIN
    INSERT INTO stat_deltas VALUES ('refund', CAST(strftime('%s', OLD.created_at) AS INTEGER) / 3600, OLD.merchant_id, '', '',
        OLD.currency, 0, OLD.status = 'completed', -1, -OLD.amount_minor);
    INSERT INTO stat_deltas VALUES ('refund', CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600, NEW.merchant_id, '', '',
        NEW.currency, 0, NEW.status = 'completed', 1, NEW.amount_minor);
END;

-- The rows already there (SQLite has one writer: nothing can slip in between).
INSERT INTO stat_hours
SELECT 'payment', CAST(strftime('%s', created_at) AS INTEGER) / 3600, merchant_id,
       COALESCE(provider, ''), COALESCE(method, ''), currency, hosted,
       status IN ('completed', 'partially_refunded', 'refunded'), count(*), sum(amount_minor)
FROM payments GROUP BY 2, 3, 4, 5, 6, 7, 8;
INSERT INTO stat_hours
SELECT 'refund', CAST(strftime('%s', created_at) AS INTEGER) / 3600, merchant_id, '', '',
       currency, 0, status = 'completed', count(*), sum(amount_minor)
FROM refunds GROUP BY 2, 3, 6, 8;
