-- Analytics: a read model of catalog (what exists, who may see it, who are
-- an author's members), the engagement aggregated in tumbling windows for
-- trending, hourly counts for creator statistics, completions for related
-- items, and the lake's staging of events not yet in a Parquet file.
-- Times are Unix seconds (BIGINT): window arithmetic is the same on both
-- databases.

-- +goose Up
CREATE TABLE analytics_media (
    id           {{uuid}} PRIMARY KEY,
    kind         TEXT NOT NULL,
    language     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    category_ids TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL
);

CREATE TABLE analytics_media_authors (
    media_id  {{uuid}} NOT NULL REFERENCES analytics_media (id) ON DELETE CASCADE,
    author_id {{uuid}} NOT NULL,
    PRIMARY KEY (media_id, author_id)
);
CREATE INDEX analytics_media_authors_author ON analytics_media_authors (author_id, media_id);

CREATE TABLE analytics_members (
    author_id {{uuid}} NOT NULL,
    user_id   {{uuid}} NOT NULL,
    PRIMARY KEY (author_id, user_id)
);

-- y of an item in one tumbling window (win: hour, day, week; start: Unix
-- seconds of the window's start).
CREATE TABLE analytics_scores (
    win      TEXT NOT NULL,
    start    BIGINT NOT NULL,
    media_id {{uuid}} NOT NULL,
    y        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (win, start, media_id)
);

CREATE TABLE analytics_item_hours (
    media_id       {{uuid}} NOT NULL,
    hour           BIGINT NOT NULL,
    views          BIGINT NOT NULL DEFAULT 0,
    unique_viewers BIGINT NOT NULL DEFAULT 0,
    likes          BIGINT NOT NULL DEFAULT 0,
    completions    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (media_id, hour)
);

CREATE TABLE analytics_author_hours (
    author_id     {{uuid}} NOT NULL,
    hour          BIGINT NOT NULL,
    new_followers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (author_id, hour)
);

-- Who finished what (first time only): completions count once, and the
-- related-items job reads co-engagement from here.
CREATE TABLE analytics_completions (
    user_id  {{uuid}} NOT NULL,
    media_id {{uuid}} NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (user_id, media_id)
);
CREATE INDEX analytics_completions_media ON analytics_completions (media_id);

-- Written by the Python job (analytics/python): items related to an item.
CREATE TABLE analytics_related (
    media_id   {{uuid}} NOT NULL,
    related_id {{uuid}} NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (media_id, related_id)
);

-- Events consumed but not yet in a committed lake file. file is set when a
-- flush claims the row; the row is deleted in the transaction that records
-- the file as written.
CREATE TABLE analytics_lake_pending (
    seq        {{serial}},
    event_id   TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    source     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    at         BIGINT NOT NULL,
    data       TEXT NOT NULL,
    file       TEXT
);
CREATE INDEX analytics_lake_pending_file ON analytics_lake_pending (file, seq);

-- Lake files: state writing (claimed rows, file may be partial), done, or
-- compacting (sources listed; they are deleted once the target exists).
CREATE TABLE analytics_lake_files (
    path      TEXT PRIMARY KEY,
    part      TEXT NOT NULL,
    state     TEXT NOT NULL,
    row_count BIGINT NOT NULL DEFAULT 0,
    sources   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX analytics_lake_files_partition ON analytics_lake_files (part, state);

-- +goose Down
DROP TABLE analytics_lake_files;
DROP TABLE analytics_lake_pending;
DROP TABLE analytics_related;
DROP TABLE analytics_completions;
DROP TABLE analytics_author_hours;
DROP TABLE analytics_item_hours;
DROP TABLE analytics_scores;
DROP TABLE analytics_members;
DROP TABLE analytics_media_authors;
DROP TABLE analytics_media;
