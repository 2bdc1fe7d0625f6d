-- Notify: a read model of who follows what, who is a member of which author
-- and what items carry, plus the inboxes, the fan-out jobs that fill them,
-- per-channel deliveries and the users' preferences.

-- +goose Up
CREATE TABLE follows (
    user_id     {{uuid}} NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    PRIMARY KEY (target_type, target_id, user_id)
);
CREATE INDEX follows_user ON follows (user_id);

CREATE TABLE members (
    author_id TEXT NOT NULL, -- TEXT: joined with media_refs.ref_id
    user_id   {{uuid}} NOT NULL,
    PRIMARY KEY (author_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE users (
    id           {{uuid}} PRIMARY KEY,
    email        TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL
);

CREATE TABLE media (
    id      {{uuid}} PRIMARY KEY,
    title   TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL
);

-- An item's authors, categories and tags: what a follow matches.
CREATE TABLE media_refs (
    media_id {{uuid}} NOT NULL,
    ref_type TEXT NOT NULL,
    ref_id   TEXT NOT NULL,
    PRIMARY KEY (media_id, ref_type, ref_id)
);
CREATE INDEX media_refs_ref ON media_refs (ref_type, ref_id);

-- The inbox. source_key names what caused the notification (one per user):
-- a redelivered event or a fan-out page run twice inserts nothing new.
CREATE TABLE notifications (
    id         {{uuid}} PRIMARY KEY,
    user_id    {{uuid}} NOT NULL,
    type       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    subject    TEXT NOT NULL DEFAULT '',
    source_key TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    read_at    {{timestamp}},
    UNIQUE (user_id, source_key)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at, id);

-- One fan-out per published item, worked in pages by user ID.
CREATE TABLE fanout_jobs (
    id         {{uuid}} PRIMARY KEY,
    media_id   {{uuid}} NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    cursor     TEXT NOT NULL DEFAULT '',
    done       BOOLEAN NOT NULL DEFAULT FALSE,
    inserted   BIGINT NOT NULL DEFAULT 0,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE INDEX fanout_jobs_pending ON fanout_jobs (done, created_at);

-- One row per notification and channel: sent once, even across crashes.
CREATE TABLE deliveries (
    id              {{uuid}} PRIMARY KEY,
    notification_id {{uuid}} NOT NULL,
    user_id         {{uuid}} NOT NULL,
    channel         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         {{timestamp}} NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      {{timestamp}} NOT NULL,
    sent_at         {{timestamp}},
    UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);

-- A user's choice per notification type and channel; absent: the default.
CREATE TABLE preferences (
    user_id {{uuid}} NOT NULL,
    type    TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, type, channel)
);

-- +goose Down
DROP TABLE preferences;
DROP TABLE deliveries;
DROP TABLE fanout_jobs;
DROP TABLE notifications;
DROP TABLE media_refs;
DROP TABLE media;
DROP TABLE users;
DROP TABLE members;
DROP TABLE follows;
