-- Catalog: authors and their members, categories, media and their links.
-- Every list is keyset-paginated, so every order a list offers has an index
-- ending in id, and every filter that joins has an index led by the filter.

-- +goose Up
CREATE TABLE authors (
    id         {{uuid}} PRIMARY KEY,
    name       TEXT NOT NULL,
    name_sort  TEXT NOT NULL,
    bio        TEXT NOT NULL DEFAULT '',
    links      {{json}} NOT NULL,
    avatar     TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version    BIGINT NOT NULL
);
CREATE INDEX authors_status_id ON authors (status, id);
CREATE INDEX authors_name_sort_id ON authors (name_sort, id);

CREATE TABLE author_members (
    author_id {{uuid}} NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    user_id   {{uuid}} NOT NULL,
    role      TEXT NOT NULL,
    added_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (author_id, user_id)
);
CREATE INDEX author_members_user_author ON author_members (user_id, author_id);

CREATE TABLE categories (
    id          {{uuid}} PRIMARY KEY,
    name        TEXT NOT NULL,
    name_sort   TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    parent_id   {{uuid}} REFERENCES categories (id),
    status      TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    version     BIGINT NOT NULL
);
CREATE INDEX categories_slug_id ON categories (slug, id);
CREATE INDEX categories_name_sort_id ON categories (name_sort, id);
CREATE INDEX categories_parent_slug_id ON categories (parent_id, slug, id);
CREATE INDEX categories_parent_name_sort_id ON categories (parent_id, name_sort, id);

CREATE TABLE media (
    id              {{uuid}} PRIMARY KEY,
    title           TEXT NOT NULL,
    title_sort      TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    language        TEXT NOT NULL DEFAULT '',
    license         TEXT NOT NULL DEFAULT '',
    published_at    {{timestamp}},
    status          TEXT NOT NULL,
    previous_status TEXT NOT NULL DEFAULT '',
    created_at      {{timestamp}} NOT NULL,
    updated_at      {{timestamp}} NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX media_status_id ON media (status, id);
CREATE INDEX media_title_sort_id ON media (title_sort, id);
CREATE INDEX media_status_title_sort_id ON media (status, title_sort, id);

CREATE TABLE media_authors (
    media_id  {{uuid}} NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    author_id {{uuid}} NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    PRIMARY KEY (media_id, author_id)
);
CREATE INDEX media_authors_author_media ON media_authors (author_id, media_id);

CREATE TABLE media_categories (
    media_id    {{uuid}} NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    category_id {{uuid}} NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    PRIMARY KEY (media_id, category_id)
);
CREATE INDEX media_categories_category_media ON media_categories (category_id, media_id);

CREATE TABLE media_tags (
    media_id {{uuid}} NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    ord      INTEGER NOT NULL,
    PRIMARY KEY (media_id, tag)
);
CREATE INDEX media_tags_tag_media ON media_tags (tag, media_id);

-- +goose Down
DROP TABLE media_tags;
DROP TABLE media_categories;
DROP TABLE media_authors;
DROP TABLE media;
DROP TABLE categories;
DROP TABLE author_members;
DROP TABLE authors;
