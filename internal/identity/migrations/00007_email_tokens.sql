-- +goose Up
-- Whether the account's owner proved they read mail at its address.
ALTER TABLE users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use tokens mailed to an account's address: e-mail verification and
-- password reset. Only the SHA-256 of a token is stored; a token is bound to
-- its purpose and to the address it was sent to.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    used_at    {{timestamp}}
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires ON email_tokens (expires_at);

-- +goose Down
DROP TABLE email_tokens;
ALTER TABLE users DROP COLUMN email_verified;
