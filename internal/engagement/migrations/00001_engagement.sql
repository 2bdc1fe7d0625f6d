-- Engagement: a read model of what catalog publishes, and the users'
-- follows, likes, progress and views with their aggregate counts.

-- +goose Up
-- What exists and is visible, as catalog's events tell it. version orders
-- events: an older one than the row is ignored.
CREATE TABLE media (
    id               {{uuid}} PRIMARY KEY,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    duration_seconds DOUBLE PRECISION,
    pages            INTEGER,
    published_at     {{timestamp}},
    version          BIGINT NOT NULL
);
CREATE INDEX media_published ON media (status, published_at, id);

-- A media item's authors, categories and tags: what a follow matches.
CREATE TABLE media_refs (
    media_id {{uuid}} NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    ref_type TEXT NOT NULL,
    ref_id   TEXT NOT NULL,
    PRIMARY KEY (media_id, ref_type, ref_id)
);
CREATE INDEX media_refs_ref ON media_refs (ref_type, ref_id, media_id);

CREATE TABLE authors (
    id      {{uuid}} PRIMARY KEY,
    status  TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE categories (
    id      {{uuid}} PRIMARY KEY,
    status  TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE follows (
    user_id     {{uuid}} NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, target_type, target_id)
);
CREATE INDEX follows_target ON follows (target_type, target_id);

CREATE TABLE likes (
    user_id    {{uuid}} NOT NULL,
    media_id   {{uuid}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, media_id)
);
CREATE INDEX likes_media ON likes (media_id);

-- Aggregates: they outlive the rows they count (erasure keeps them).
CREATE TABLE media_stats (
    media_id       {{uuid}} PRIMARY KEY,
    views          BIGINT NOT NULL DEFAULT 0,
    unique_viewers BIGINT NOT NULL DEFAULT 0,
    likes          BIGINT NOT NULL DEFAULT 0,
    completions    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE author_stats (
    author_id {{uuid}} PRIMARY KEY,
    followers BIGINT NOT NULL DEFAULT 0
);

-- Counted views: one row per viewer, item and hour. viewer is u:<user id>
-- or a:<salted hash>; raw addresses and agents are never stored. Keys lead
-- with the viewer, so erasing a user needs no second index (each index is
-- one more B-tree write per counted view).
CREATE TABLE view_hours (
    viewer   TEXT NOT NULL,
    media_id {{uuid}} NOT NULL,
    hour     BIGINT NOT NULL,
    PRIMARY KEY (viewer, media_id, hour)
);

CREATE TABLE viewers (
    viewer   TEXT NOT NULL,
    media_id {{uuid}} NOT NULL,
    PRIMARY KEY (viewer, media_id)
);

-- The daily salt of anonymous viewers' hashes; old days are deleted.
CREATE TABLE view_salts (
    day  TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);

CREATE TABLE progress (
    user_id     {{uuid}} NOT NULL,
    media_id    {{uuid}} NOT NULL,
    seconds     DOUBLE PRECISION,
    page        INTEGER,
    pages       INTEGER,
    cfi         TEXT NOT NULL DEFAULT '',
    percent     DOUBLE PRECISION NOT NULL,
    finished    BOOLEAN NOT NULL,
    device      TEXT NOT NULL,
    client_time {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, media_id)
);
CREATE INDEX progress_user_state ON progress (user_id, finished, client_time, media_id);

-- +goose Down
DROP TABLE progress;
DROP TABLE view_salts;
DROP TABLE viewers;
DROP TABLE view_hours;
DROP TABLE author_stats;
DROP TABLE media_stats;
DROP TABLE likes;
DROP TABLE follows;
DROP TABLE categories;
DROP TABLE authors;
DROP TABLE media_refs;
DROP TABLE media;
