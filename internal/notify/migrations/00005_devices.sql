-- Mobile devices for push through FCM or AWS SNS (platform endpoints).

-- +goose Up
CREATE TABLE devices (
    id           {{uuid}} PRIMARY KEY,
    user_id      {{uuid}} NOT NULL,
    platform     TEXT NOT NULL,
    token        TEXT NOT NULL UNIQUE,
    endpoint_arn TEXT NOT NULL DEFAULT '',
    created_at   {{timestamp}} NOT NULL
);
CREATE INDEX devices_user ON devices (user_id);

-- +goose Down
DROP TABLE devices;
