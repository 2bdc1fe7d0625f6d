-- +goose Up
-- Events waiting to be published, written in the same transaction as the
-- change they describe. The relay publishes them in id order and deletes them.
CREATE TABLE outbox (
    id {{serial}},
    event_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    type TEXT NOT NULL,
    metadata TEXT NOT NULL,
    payload {{blob}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

-- Events this service's consumers have handled, by consumer group, so a
-- redelivered event has no second effect.
CREATE TABLE inbox (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    processed_at {{timestamp}} NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX inbox_processed_at ON inbox (processed_at);

-- Events a consumer gave up on after its retries; operators list, replay
-- and purge them.
CREATE TABLE dead_letters (
    id TEXT PRIMARY KEY,
    consumer TEXT NOT NULL,
    topic TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    metadata TEXT NOT NULL,
    payload {{blob}} NOT NULL,
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    failed_at {{timestamp}} NOT NULL
);
CREATE INDEX dead_letters_failed_at ON dead_letters (failed_at, id);

-- +goose Down
DROP TABLE dead_letters;
DROP TABLE inbox;
DROP TABLE outbox;
