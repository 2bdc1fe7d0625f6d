-- +goose Up
-- The index is built only from events (and, for extracted text, storage's
-- public API). Full-text objects that differ between the dialects (FTS5
-- virtual tables, tsvector columns, trigram indexes) are created by
-- store_fts.go after these migrations.
CREATE TABLE search_media (
    rid           {{serial}},
    id            {{uuid}} NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    language      TEXT NOT NULL,
    license       TEXT NOT NULL,
    status        TEXT NOT NULL,
    visible       BOOLEAN NOT NULL,
    published_at  {{timestamp}},
    sort_time     {{timestamp}} NOT NULL,
    duration      DOUBLE PRECISION,
    pages         INTEGER,
    popularity    BIGINT NOT NULL DEFAULT 0,
    version       BIGINT NOT NULL,
    doc           {{json}} NOT NULL,
    title_norm    TEXT NOT NULL,
    authors_text  TEXT NOT NULL DEFAULT '',
    text_object   TEXT NOT NULL DEFAULT '',
    text_indexed  TEXT NOT NULL DEFAULT '',
    event_time    {{timestamp}} NOT NULL
);
CREATE INDEX search_media_visible_sort ON search_media (visible, sort_time, id);
CREATE INDEX search_media_visible_pop ON search_media (visible, popularity, id);

CREATE TABLE search_media_authors (
    media_id  {{uuid}} NOT NULL,
    author_id {{uuid}} NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (media_id, author_id)
);
CREATE INDEX search_media_authors_author ON search_media_authors (author_id);

CREATE TABLE search_media_categories (
    media_id    {{uuid}} NOT NULL,
    category_id {{uuid}} NOT NULL,
    PRIMARY KEY (media_id, category_id)
);
CREATE INDEX search_media_categories_category ON search_media_categories (category_id);

CREATE TABLE search_media_tags (
    media_id {{uuid}} NOT NULL,
    tag      TEXT NOT NULL,
    PRIMARY KEY (media_id, tag)
);
CREATE INDEX search_media_tags_tag ON search_media_tags (tag);

CREATE TABLE search_authors (
    id        {{uuid}} PRIMARY KEY,
    name      TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    status    TEXT NOT NULL,
    version   BIGINT NOT NULL
);

CREATE TABLE search_members (
    author_id {{uuid}} NOT NULL,
    user_id   {{uuid}} NOT NULL,
    PRIMARY KEY (author_id, user_id)
);
CREATE INDEX search_members_user ON search_members (user_id);

CREATE TABLE search_categories (
    id        {{uuid}} PRIMARY KEY,
    parent_id {{uuid}},
    name      TEXT NOT NULL,
    status    TEXT NOT NULL,
    version   BIGINT NOT NULL
);

-- The extracted text of visible items, one row per page (PDF: form-feed
-- separated pages; EPUB and plain text: one "page" per part, position in order).
CREATE TABLE search_pages (
    rid      {{serial}},
    media_id {{uuid}} NOT NULL,
    page     INTEGER NOT NULL,
    body     TEXT NOT NULL,
    UNIQUE (media_id, page)
);

-- Known words (titles, authors, tags, descriptions, text): misspelt query
-- words are corrected to their nearest ones.
CREATE TABLE search_terms (
    rid  {{serial}},
    term TEXT NOT NULL UNIQUE
);

-- Extracted text waiting to be fetched from storage.
CREATE TABLE search_text_jobs (
    media_id    {{uuid}} PRIMARY KEY,
    object_name TEXT NOT NULL,
    source      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     {{timestamp}} NOT NULL,
    event_time  {{timestamp}} NOT NULL
);

CREATE TABLE search_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE search_secrets;
DROP TABLE search_text_jobs;
DROP TABLE search_terms;
DROP TABLE search_pages;
DROP TABLE search_categories;
DROP TABLE search_members;
DROP TABLE search_authors;
DROP TABLE search_media_tags;
DROP TABLE search_media_categories;
DROP TABLE search_media_authors;
DROP TABLE search_media;
