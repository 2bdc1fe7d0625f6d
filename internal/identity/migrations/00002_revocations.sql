-- +goose Up
-- The revocation log: written in the transaction of a suspension, a
-- deletion, a role removal or the end of a session, and read by every
-- process's revocation follower (internal/platform/auth/revocations.go).
-- Rows are kept as long as an access token issued before them may live.
CREATE TABLE revocations (
    id          {{uuid}} PRIMARY KEY,
    user_id     {{uuid}} NOT NULL,
    session_id  TEXT NOT NULL DEFAULT '',
    min_version BIGINT NOT NULL DEFAULT 0,
    -- For a role removal: the roles the account holds since (",reader,").
    roles       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL
);
CREATE INDEX revocations_created ON revocations (created_at);

-- +goose Down
DROP TABLE revocations;
