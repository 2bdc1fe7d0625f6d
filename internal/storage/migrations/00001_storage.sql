-- Storage: uploads in progress (their quota reservation and expiry), the
-- completed upload that is each media item's current file, the derivatives
-- processing made of it, objects waiting to be deleted, and the service's
-- own secrets.

-- +goose Up
-- An upload being received (tus) or streamed (PUT). Its size is reserved
-- against the user's quota until it completes, fails or expires. The id is
-- storage's own (never a client-supplied name) and names the tus data.
CREATE TABLE pending_uploads (
    id         {{uuid}} PRIMARY KEY,
    media_id   {{uuid}} NOT NULL,
    user_id    {{uuid}} NOT NULL,
    kind       TEXT NOT NULL,
    filename   TEXT NOT NULL DEFAULT '',
    size       BIGINT NOT NULL,
    source     TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL
);
CREATE INDEX pending_uploads_user ON pending_uploads (user_id);
CREATE INDEX pending_uploads_media ON pending_uploads (media_id);
CREATE INDEX pending_uploads_expires ON pending_uploads (expires_at);

-- The completed upload of each media item: at most one row per media (a
-- newer upload replaces it). Its size counts against the uploader's quota.
CREATE TABLE uploads (
    id           {{uuid}} PRIMARY KEY,
    media_id     {{uuid}} NOT NULL UNIQUE,
    user_id      {{uuid}} NOT NULL,
    kind         TEXT NOT NULL,
    object_key   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT NOT NULL DEFAULT '',
    completed_at {{timestamp}} NOT NULL
);
CREATE INDEX uploads_user ON uploads (user_id);
CREATE INDEX uploads_object_key ON uploads (object_key);

-- Derivatives of a media item's current file, from processing's events.
CREATE TABLE derivatives (
    media_id      {{uuid}} NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    object_key    TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    source_sha256 TEXT NOT NULL,
    created_at    {{timestamp}} NOT NULL,
    PRIMARY KEY (media_id, name)
);
CREATE INDEX derivatives_object_key ON derivatives (object_key);

-- Objects no row references any more, deleted from the bucket after the
-- transaction that dropped the last reference commits (and retried by the
-- sweeper until the bucket answers).
CREATE TABLE object_deletions (
    object_key TEXT PRIMARY KEY,
    created_at {{timestamp}} NOT NULL
);

-- One row per uploader: locked (PostgreSQL) while a quota is checked and a
-- reservation made, so two concurrent uploads cannot both fit.
CREATE TABLE quota_locks (
    user_id {{uuid}} PRIMARY KEY
);

-- The service's own secrets (the download-link key), made on first start.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value {{blob}} NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE quota_locks;
DROP TABLE object_deletions;
DROP TABLE derivatives;
DROP TABLE uploads;
DROP TABLE pending_uploads;
