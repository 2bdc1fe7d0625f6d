-- Web Push subscriptions (VAPID): one row per browser endpoint.

-- +goose Up
CREATE TABLE push_subscriptions (
    id         {{uuid}} PRIMARY KEY,
    user_id    {{uuid}} NOT NULL,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- +goose Down
DROP TABLE push_subscriptions;
