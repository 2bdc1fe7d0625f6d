-- Collections (users' ordered lists of media) and reports to moderators.

-- +goose Up
CREATE TABLE collections (
    id          {{uuid}} PRIMARY KEY,
    owner_id    {{uuid}} NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE INDEX collections_owner ON collections (owner_id, created_at, id);
-- One saved collection per user.
CREATE UNIQUE INDEX collections_saved ON collections (owner_id, kind) WHERE kind = 'saved';

CREATE TABLE collection_items (
    collection_id {{uuid}} NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    media_id      {{uuid}} NOT NULL,
    position      BIGINT NOT NULL,
    added_at      {{timestamp}} NOT NULL,
    PRIMARY KEY (collection_id, media_id)
);
CREATE INDEX collection_items_order ON collection_items (collection_id, position, media_id);

CREATE TABLE reports (
    id           {{uuid}} PRIMARY KEY,
    reporter_id  {{uuid}},
    target_type  TEXT NOT NULL,
    target_id    {{uuid}} NOT NULL,
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    action       TEXT NOT NULL DEFAULT '',
    resolved_by  {{uuid}},
    resolution   TEXT NOT NULL DEFAULT '',
    created_at   {{timestamp}} NOT NULL,
    resolved_at  {{timestamp}}
);
CREATE INDEX reports_state ON reports (state, created_at, id);
CREATE INDEX reports_reporter ON reports (reporter_id);

-- +goose Down
DROP TABLE reports;
DROP TABLE collection_items;
DROP TABLE collections;
