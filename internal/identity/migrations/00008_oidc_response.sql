-- +goose Up
-- How a sign-in started at an OpenID provider ends: 'browser' (the
-- callback sets the web session's cookies and redirects to the web app) or
-- 'json' (the callback answers the tokens, for API clients).
ALTER TABLE oidc_logins ADD COLUMN response TEXT NOT NULL DEFAULT 'browser';

-- +goose Down
ALTER TABLE oidc_logins DROP COLUMN response;
