-- Events waiting to be put on the external stream (Kinesis), staged in the
-- consumer's transaction; the forwarder deletes them once put.

-- +goose Up
CREATE TABLE analytics_stream_pending (
    seq      {{serial}},
    event_id TEXT NOT NULL UNIQUE,
    part_key TEXT NOT NULL,
    body     TEXT NOT NULL
);

-- +goose Down
DROP TABLE analytics_stream_pending;
