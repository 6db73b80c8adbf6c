-- Payrail's schema. Ids are prefixed ULIDs stored as text: they sort by creation time, so the
-- primary keys double as time indexes and keyset pagination needs no extra sequence.
-- Money is always integer minor units (`*_minor`) beside an ISO 4217 code. Never numeric/float.

CREATE TABLE merchants (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    webhook_url  text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Secrets are AES-256-GCM ciphertexts (nonce || ciphertext || tag) under the master key, with the
-- row's id as associated data, so a dump reveals nothing and a ciphertext cannot be moved to
-- another row. More than one row may be active during a rotation.
CREATE TABLE merchant_secrets (
    id           text PRIMARY KEY,
    merchant_id  text NOT NULL REFERENCES merchants (id),
    secret_enc   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz
);
CREATE INDEX merchant_secrets_by_merchant ON merchant_secrets (merchant_id);

-- A merchant's connection to one gateway. The id appears in the webhook URL the gateway calls.
CREATE TABLE provider_accounts (
    id               text PRIMARY KEY,
    merchant_id      text NOT NULL REFERENCES merchants (id),
    provider         text NOT NULL,
    credentials_enc  bytea NOT NULL,
    base_url         text NOT NULL,
    enabled          boolean NOT NULL DEFAULT true,
    priority         integer NOT NULL DEFAULT 100,
    currencies       text NOT NULL DEFAULT '[]',  -- JSON array of ISO codes; [] = the gateway's own list
    methods          text NOT NULL DEFAULT '[]',  -- JSON array of methods; [] = the gateway's own list
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, provider)
);

CREATE TABLE payments (
    id              text PRIMARY KEY,
    merchant_id     text NOT NULL REFERENCES merchants (id),
    status          text NOT NULL,
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        text NOT NULL,
    refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    order_id        text NOT NULL,
    provider        text,
    method          text,
    account_id      text REFERENCES provider_accounts (id),
    external_id     text,
    checkout_url    text,
    callback_url    text,
    return_url      text,
    cancel_url      text,
    customer        text,   -- JSON object
    description     text,
    metadata        text,   -- JSON object
    status_detail   text,
    provider_status text,
    return_token    text NOT NULL,
    event_sequence  integer NOT NULL DEFAULT 0,  -- last merchant event sequence for this payment
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);
-- The merchant list is newest first with keyset pagination on (created_at, id); each filter has
-- an index that starts with merchant_id so a deep page costs the same as the first.
CREATE INDEX payments_by_merchant ON payments (merchant_id, created_at DESC, id DESC);
CREATE INDEX payments_by_merchant_status ON payments (merchant_id, status, created_at DESC, id DESC);
CREATE INDEX payments_by_merchant_order ON payments (merchant_id, order_id);
CREATE INDEX payments_open ON payments (status, updated_at) WHERE status IN ('pending', 'processing');

-- One try at one gateway. `reference` is what the gateway knows us by; it derives from the
-- attempt id and stays the same on every retry, so the gateway can deduplicate too.
CREATE TABLE attempts (
    id              text PRIMARY KEY,
    payment_id      text NOT NULL REFERENCES payments (id),
    account_id      text NOT NULL REFERENCES provider_accounts (id),
    provider        text NOT NULL,
    reference       text NOT NULL,
    -- creating: the gateway call may be under way or its outcome is unknown (resumable)
    -- open: the gateway has it; not_sent / declined: it never existed there
    state           text NOT NULL,
    external_id     text,
    checkout_url    text,
    provider_status text,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, account_id, reference)
);
CREATE INDEX attempts_by_payment ON attempts (payment_id, created_at DESC);

-- The timeline: every state change and what caused it, written in the same transaction.
CREATE TABLE payment_events (
    id           text PRIMARY KEY,
    payment_id   text NOT NULL REFERENCES payments (id),
    type         text NOT NULL,
    from_status  text,
    to_status    text,
    source       text NOT NULL,
    detail       text,  -- JSON
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, id);

-- Merchant webhooks waiting to be delivered: written in the same transaction as the change.
CREATE TABLE outbox_events (
    id               text PRIMARY KEY,
    merchant_id      text NOT NULL REFERENCES merchants (id),
    payment_id       text NOT NULL REFERENCES payments (id),
    type             text NOT NULL,
    sequence         integer NOT NULL,
    payload          text NOT NULL,
    target_url       text,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (payment_id, sequence)
);
CREATE INDEX outbox_due ON outbox_events (next_attempt_at) WHERE delivered_at IS NULL;

-- Idempotency records (design §1.4). The primary key is the lock: exactly one request inserts
-- the row and runs; the others see it. `locked_until` lets a crashed owner's key be resumed.
CREATE TABLE idempotency_keys (
    merchant_id      text NOT NULL REFERENCES merchants (id),
    key              text NOT NULL,
    fingerprint      text NOT NULL,
    state            text NOT NULL,  -- in_flight | done
    locked_until     timestamptz,
    payment_id       text,
    response_status  integer,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Signatures of non-GET requests seen inside the timestamp window: an exact replay is refused.
CREATE TABLE request_replays (
    merchant_id  text NOT NULL,
    signature    text NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (merchant_id, signature)
);
CREATE INDEX request_replays_expiry ON request_replays (expires_at);

-- Every gateway webhook as received, before anything else happens, forged ones included.
CREATE TABLE webhook_journal (
    id            bigserial PRIMARY KEY,
    provider      text NOT NULL,
    account_id    text,
    received_at   timestamptz NOT NULL DEFAULT now(),
    headers       text NOT NULL,  -- JSON object of the headers that matter
    body          bytea NOT NULL,
    verified      boolean NOT NULL,
    verification  text NOT NULL,  -- scheme that matched, or why it was rejected
    dedupe_key    text,
    payment_id    text,
    result        text            -- applied | duplicate | unmatched | rejected | failed
);
CREATE INDEX webhook_journal_by_time ON webhook_journal (received_at);

-- Verified webhooks already applied. Inserted in the same transaction as the change it caused,
-- so a duplicate is recognised exactly when the original took effect.
CREATE TABLE webhook_dedupe (
    provider     text NOT NULL,
    account_id   text NOT NULL,
    dedupe_key   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, account_id, dedupe_key)
);
