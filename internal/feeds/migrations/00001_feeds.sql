-- Feeds: the read model of published media, authors and categories that
-- every feed is rendered from. Rows are copies of catalog's event payloads
-- (doc), with the columns the feeds filter and order by beside them. A row
-- only ever moves to a higher version: late or repeated events change
-- nothing. Deleted media keep a tombstone row (status deleted).

-- +goose Up
CREATE TABLE feeds_media (
    id         {{uuid}} PRIMARY KEY,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    title_fold TEXT NOT NULL,
    language   TEXT NOT NULL,
    -- published_at in fixed-width UTC text, then the id: the keyset of
    -- every list (newest first).
    sort_key   TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version    BIGINT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX feeds_media_status_sort ON feeds_media (status, sort_key);
CREATE INDEX feeds_media_language_sort ON feeds_media (language, sort_key);

CREATE TABLE feeds_media_authors (
    author_id {{uuid}} NOT NULL,
    media_id  {{uuid}} NOT NULL,
    PRIMARY KEY (author_id, media_id)
);
CREATE INDEX feeds_media_authors_media ON feeds_media_authors (media_id);

CREATE TABLE feeds_media_categories (
    category_id {{uuid}} NOT NULL,
    media_id    {{uuid}} NOT NULL,
    PRIMARY KEY (category_id, media_id)
);
CREATE INDEX feeds_media_categories_media ON feeds_media_categories (media_id);

CREATE TABLE feeds_media_tags (
    tag      TEXT NOT NULL,
    media_id {{uuid}} NOT NULL,
    PRIMARY KEY (tag, media_id)
);
CREATE INDEX feeds_media_tags_media ON feeds_media_tags (media_id);

CREATE TABLE feeds_authors (
    id         {{uuid}} PRIMARY KEY,
    status     TEXT NOT NULL,
    name_fold  TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version    BIGINT NOT NULL,
    doc        TEXT NOT NULL
);

CREATE TABLE feeds_categories (
    id         {{uuid}} PRIMARY KEY,
    slug       TEXT NOT NULL,
    status     TEXT NOT NULL,
    name_fold  TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version    BIGINT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX feeds_categories_slug ON feeds_categories (slug);

-- +goose Down
DROP TABLE feeds_categories;
DROP TABLE feeds_authors;
DROP TABLE feeds_media_tags;
DROP TABLE feeds_media_categories;
DROP TABLE feeds_media_authors;
DROP TABLE feeds_media;
