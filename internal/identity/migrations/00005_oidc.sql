-- +goose Up
-- Sign-ins started at an OpenID provider: the state is single use and
-- carries the PKCE verifier and the nonce; link_user_id is set when a
-- signed-in user links the provider to their account.
CREATE TABLE oidc_logins (
    state        TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    link_user_id TEXT NOT NULL DEFAULT '',
    created_at   {{timestamp}} NOT NULL
);
CREATE INDEX oidc_logins_created ON oidc_logins (created_at);

-- Accounts at OpenID providers linked to Alexandria accounts.
CREATE TABLE oidc_identities (
    provider   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    {{uuid}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

-- +goose Down
DROP TABLE oidc_identities;
DROP TABLE oidc_logins;
