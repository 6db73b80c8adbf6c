-- Payrail's schema for the embedded SQLite store: the same tables, columns and indexes as
-- migrations/postgres, in SQLite's types. Timestamps are TEXT in RFC 3339 with a +00:00 offset,
-- always bound from Rust (never a SQL default), so they compare correctly as text.
-- Money is integer minor units beside an ISO 4217 code.

CREATE TABLE merchants (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    webhook_url  TEXT,
    created_at   TEXT NOT NULL
);

-- AES-256-GCM ciphertexts under the master key, the row id as associated data.
CREATE TABLE merchant_secrets (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    secret_enc   BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT
);
CREATE INDEX merchant_secrets_by_merchant ON merchant_secrets (merchant_id);

CREATE TABLE provider_accounts (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    provider         TEXT NOT NULL,
    credentials_enc  BLOB NOT NULL,
    base_url         TEXT NOT NULL,
    enabled          INTEGER NOT NULL DEFAULT 1,
    priority         INTEGER NOT NULL DEFAULT 100,
    currencies       TEXT NOT NULL DEFAULT '[]',
    methods          TEXT NOT NULL DEFAULT '[]',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (merchant_id, provider)
);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    status          TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT NOT NULL,
    refunded_minor  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    order_id        TEXT NOT NULL,
    provider        TEXT,
    method          TEXT,
    account_id      TEXT REFERENCES provider_accounts (id),
    external_id     TEXT,
    checkout_url    TEXT,
    callback_url    TEXT,
    return_url      TEXT,
    cancel_url      TEXT,
    customer        TEXT,
    description     TEXT,
    metadata        TEXT,
    status_detail   TEXT,
    provider_status TEXT,
    return_token    TEXT NOT NULL,
    event_sequence  INTEGER NOT NULL DEFAULT 0,
    expires_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    completed_at    TEXT
);
CREATE INDEX payments_by_merchant ON payments (merchant_id, created_at DESC, id DESC);
CREATE INDEX payments_by_merchant_status ON payments (merchant_id, status, created_at DESC, id DESC);
CREATE INDEX payments_by_merchant_order ON payments (merchant_id, order_id);
CREATE INDEX payments_open ON payments (status, updated_at) WHERE status IN ('pending', 'processing');

CREATE TABLE attempts (
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL REFERENCES payments (id),
    account_id      TEXT NOT NULL REFERENCES provider_accounts (id),
    provider        TEXT NOT NULL,
    reference       TEXT NOT NULL,
    state           TEXT NOT NULL,
    external_id     TEXT,
    checkout_url    TEXT,
    provider_status TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (provider, account_id, reference)
);
CREATE INDEX attempts_by_payment ON attempts (payment_id, created_at DESC);

CREATE TABLE payment_events (
    id           TEXT PRIMARY KEY,
    payment_id   TEXT NOT NULL REFERENCES payments (id),
    type         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    source       TEXT NOT NULL,
    detail       TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, id);

CREATE TABLE outbox_events (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    payment_id       TEXT NOT NULL REFERENCES payments (id),
    type             TEXT NOT NULL,
    sequence         INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    target_url       TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    delivered_at     TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (payment_id, sequence)
);
CREATE INDEX outbox_due ON outbox_events (next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE idempotency_keys (
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    key              TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    state            TEXT NOT NULL,
    locked_until     TEXT,
    payment_id       TEXT,
    response_status  INTEGER,
    response_body    BLOB,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE request_replays (
    merchant_id  TEXT NOT NULL,
    signature    TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (merchant_id, signature)
);
CREATE INDEX request_replays_expiry ON request_replays (expires_at);

CREATE TABLE webhook_journal (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    provider      TEXT NOT NULL,
    account_id    TEXT,
    received_at   TEXT NOT NULL,
    headers       TEXT NOT NULL,
    body          BLOB NOT NULL,
    verified      INTEGER NOT NULL,
    verification  TEXT NOT NULL,
    dedupe_key    TEXT,
    payment_id    TEXT,
    result        TEXT
);
CREATE INDEX webhook_journal_by_time ON webhook_journal (received_at);

CREATE TABLE webhook_dedupe (
    provider     TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (provider, account_id, dedupe_key)
);
