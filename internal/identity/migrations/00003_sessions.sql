-- +goose Up
-- What a user sees of their sign-in sessions (refresh token families): the
-- device (User-Agent) and address of the sign-in and of the last refresh.
-- Sessions started before this table existed have no row: they are not
-- listed, and "end every session" still ends them.
CREATE TABLE sessions (
    id           {{uuid}} PRIMARY KEY,
    user_id      {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device       TEXT NOT NULL,
    address      TEXT NOT NULL,
    method       TEXT NOT NULL,
    -- Whether the sign-in passed a second factor (TOTP or recovery code).
    second_factor BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   {{timestamp}} NOT NULL,
    last_used_at {{timestamp}} NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, last_used_at);

-- +goose Down
DROP TABLE sessions;
