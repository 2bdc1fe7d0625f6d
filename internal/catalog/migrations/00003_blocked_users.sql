-- Accounts identity has suspended or deleted, learnt from its events, so
-- catalog refuses their writes even while their access tokens are valid.
-- A row stays after a reinstatement (blocked false): version is the user's
-- version in the last event applied, so an older event arriving late
-- changes nothing. A deletion is final.

-- +goose Up
CREATE TABLE blocked_users (
    user_id    {{uuid}} PRIMARY KEY,
    blocked    BOOLEAN NOT NULL,
    reason     TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

-- +goose Down
DROP TABLE blocked_users;
