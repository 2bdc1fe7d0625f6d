-- Account mails identity asks for (e-mail verification, password reset):
-- transactional, sent at once, not subject to digests, quiet hours or
-- unsubscribing. id is the event's ID, so a redelivered event queues nothing.
-- The bodies carry a single-use link: they are blanked once the mail is sent
-- or given up on.

-- +goose Up
CREATE TABLE account_mails (
    id         TEXT PRIMARY KEY,
    user_id    {{uuid}} NOT NULL,
    kind       TEXT NOT NULL,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    sent_at    {{timestamp}}
);
CREATE INDEX account_mails_due ON account_mails (state, next_at);
CREATE INDEX account_mails_user ON account_mails (user_id);

-- +goose Down
DROP TABLE account_mails;
