-- Private feeds: the tokens signed-in users make for podcast apps and feed
-- readers that cannot send credentials. Only a hash of each secret is kept;
-- revoking a token deletes its row.

-- +goose Up
CREATE TABLE feeds_tokens (
    id           {{uuid}} PRIMARY KEY,
    user_id      {{uuid}} NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL,
    last_used_at {{timestamp}}
);
CREATE UNIQUE INDEX feeds_tokens_hash ON feeds_tokens (token_hash);
CREATE INDEX feeds_tokens_user ON feeds_tokens (user_id, created_at);

-- +goose Down
DROP TABLE feeds_tokens;
