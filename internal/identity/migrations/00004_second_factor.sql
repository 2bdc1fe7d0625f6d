-- +goose Up
-- TOTP second factors. The secret must be readable to check codes, so it
-- sits in the database like the signing keys: production must restrict
-- access to this schema. last_step is the time step of the last code
-- accepted, so a code works once.
CREATE TABLE totp_factors (
    user_id    {{uuid}} PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    confirmed  BOOLEAN NOT NULL DEFAULT FALSE,
    last_step  BIGINT NOT NULL DEFAULT 0,
    created_at {{timestamp}} NOT NULL
);

-- Recovery codes: each works once; only their SHA-256 is kept.
CREATE TABLE recovery_codes (
    user_id   {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   {{timestamp}},
    PRIMARY KEY (user_id, code_hash)
);

-- +goose Down
DROP TABLE recovery_codes;
DROP TABLE totp_factors;
