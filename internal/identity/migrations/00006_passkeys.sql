-- +goose Up
-- Passkeys (WebAuthn credentials); credential is the library's JSON of the
-- credential (public key, sign count, flags), never a secret.
CREATE TABLE passkeys (
    id           TEXT PRIMARY KEY,
    user_id      {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    credential   TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL,
    last_used_at {{timestamp}}
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- WebAuthn ceremonies in progress: the challenge a browser must sign,
-- single use, for a few minutes.
CREATE TABLE webauthn_ceremonies (
    id         {{uuid}} PRIMARY KEY,
    user_id    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    challenge  TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE UNIQUE INDEX webauthn_ceremonies_challenge ON webauthn_ceremonies (challenge);

-- +goose Down
DROP TABLE webauthn_ceremonies;
DROP TABLE passkeys;
