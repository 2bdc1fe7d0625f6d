-- +goose Up
-- A counter bumped by every index write that can change which items are
-- visible or how they are counted (an item written or deleted, an author's
-- name or status): the totals and facets of browses (no words) are cached
-- per process and kept only while the counter has not moved, so every
-- replica sees another's writes at its next request.
CREATE TABLE search_state (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO search_state (id, generation) VALUES (1, 0);

-- +goose Down
DROP TABLE search_state;
