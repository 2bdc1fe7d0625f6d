-- +goose Up
-- roles is a comma-wrapped list (",reader,admin,") so a role filter is one
-- portable LIKE '%,admin,%' on both SQLite and PostgreSQL.
CREATE TABLE users (
    id            {{uuid}} PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles         TEXT NOT NULL,
    suspended     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    {{timestamp}} NOT NULL,
    updated_at    {{timestamp}} NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);

-- Refresh tokens are opaque; only their SHA-256 is kept. A family is one
-- sign-in: every rotation stays in it, so reuse of a rotated token can
-- revoke the whole chain.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    family_id   {{uuid}} NOT NULL,
    user_id     {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  {{timestamp}} NOT NULL,
    expires_at  {{timestamp}} NOT NULL,
    used_at     {{timestamp}},
    revoked_at  {{timestamp}}
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Personal API tokens: the secret is shown once; only its SHA-256 is kept.
CREATE TABLE api_tokens (
    id           {{uuid}} PRIMARY KEY,
    user_id      {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   {{timestamp}} NOT NULL,
    expires_at   {{timestamp}} NOT NULL,
    last_used_at {{timestamp}}
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- Ed25519 signing keys. The private key sits in the database: production
-- must restrict access to this schema; encryption at rest is future work.
-- The partial unique index keeps exactly one active key even when replicas
-- start together.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    private_key {{blob}} NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    retired_at  {{timestamp}},
    slot        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (slot) WHERE retired_at IS NULL;

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
