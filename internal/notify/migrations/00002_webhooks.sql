-- Webhooks: an author's members (or an administrator) register a URL for
-- some event types of that author; each event is one delivery per webhook.

-- +goose Up
CREATE TABLE webhooks (
    id          {{uuid}} PRIMARY KEY,
    author_id   TEXT NOT NULL,
    created_by  {{uuid}} NOT NULL,
    url         TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret      TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    failures    INTEGER NOT NULL DEFAULT 0,
    created_at  {{timestamp}} NOT NULL,
    disabled_at {{timestamp}}
);
CREATE INDEX webhooks_author ON webhooks (author_id);

CREATE TABLE webhook_deliveries (
    id          {{uuid}} PRIMARY KEY,
    webhook_id  {{uuid}} NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_key   TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     {{timestamp}} NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  {{timestamp}} NOT NULL,
    sent_at     {{timestamp}},
    UNIQUE (webhook_id, event_key)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
