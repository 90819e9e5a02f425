-- Notify: digest subscribers and their preferences, single-use confirmation tokens,
-- the delivery ledger (one row per subscriber and period), bounce/suppression state
-- per address, and a per-delivery mail log.
CREATE TABLE subscribers (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    user_id         INTEGER,                       -- linked account, when there is one
    status          TEXT NOT NULL DEFAULT 'pending', -- pending | active | unsubscribed
    frequency       TEXT NOT NULL DEFAULT 'daily',   -- daily (weekdays) | weekly
    hour            INTEGER NOT NULL DEFAULT 8,      -- local hour 0..23
    weekday         INTEGER NOT NULL DEFAULT 0,      -- weekly: 0 = Monday
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    trending        INTEGER NOT NULL DEFAULT 1,
    recommendations INTEGER NOT NULL DEFAULT 0,
    categories      TEXT NOT NULL DEFAULT '[]',      -- JSON list
    queries         TEXT NOT NULL DEFAULT '[]',      -- JSON list of keyword searches
    authors         TEXT NOT NULL DEFAULT '[]',      -- JSON list of author names
    source          TEXT NOT NULL DEFAULT 'web',     -- web | account | cli | import
    created_at      TEXT NOT NULL,
    confirmed_at    TEXT,
    unsubscribed_at TEXT
);
CREATE INDEX subscribers_status ON subscribers (status);
CREATE INDEX subscribers_user ON subscribers (user_id);

CREATE TABLE subscriber_tokens (
    token_hash    TEXT PRIMARY KEY,                  -- sha256 of the token; never the token
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    purpose       TEXT NOT NULL,                     -- confirm
    expires_at    TEXT NOT NULL,
    used_at       TEXT
) WITHOUT ROWID;

CREATE TABLE digest_deliveries (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    period        TEXT NOT NULL,                     -- daily:YYYY-MM-DD | weekly:YYYY-Www
    status        TEXT NOT NULL,                     -- claimed | sent | empty | failed | bounced | suppressed | abandoned | cancelled
    owner         TEXT,                              -- host:pid:start of the claiming run
    lease_until   TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    message_id    TEXT,
    detail        TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, period)
) WITHOUT ROWID;
CREATE INDEX digest_deliveries_period ON digest_deliveries (period, status);

CREATE TABLE mail_addresses (
    email         TEXT PRIMARY KEY COLLATE NOCASE,
    bounces       INTEGER NOT NULL DEFAULT 0,
    last_code     INTEGER,
    last_detail   TEXT,
    suppressed_at TEXT
) WITHOUT ROWID;

CREATE TABLE mail_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,                        -- digest | confirm | notice | account ...
    message_id TEXT,
    status     TEXT NOT NULL,                        -- sent | deferred | bounced | suppressed | failed
    code       INTEGER,
    detail     TEXT,
    attempts   INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mail_log_recipient ON mail_log (recipient);
