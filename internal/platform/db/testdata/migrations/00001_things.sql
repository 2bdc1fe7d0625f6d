-- +goose Up
CREATE TABLE things (
    id {{uuid}} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    meta {{json}},
    created_at {{timestamp}} NOT NULL
);

-- +goose Down
DROP TABLE things;
