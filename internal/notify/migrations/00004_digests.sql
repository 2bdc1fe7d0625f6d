-- A user's e-mail rhythm (each mail, or a daily or weekly digest) and quiet
-- hours (no e-mail or push in a daily window, in the user's time zone).

-- +goose Up
CREATE TABLE user_settings (
    user_id     {{uuid}} PRIMARY KEY,
    digest      TEXT NOT NULL DEFAULT 'off',
    quiet_start INTEGER,
    quiet_end   INTEGER,
    time_zone   TEXT NOT NULL DEFAULT 'UTC'
);

-- +goose Down
DROP TABLE user_settings;
