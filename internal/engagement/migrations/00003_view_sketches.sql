-- Counting views without a row per viewer and item forever: the hour's
-- dedup keys become 64-bit hashes of (viewer, item, hour), pruned after the
-- hour, and unique viewers a HyperLogLog sketch per item (4 KiB).
-- Upgrading keeps media_stats: the sketches start empty, so a viewer counted
-- before the upgrade counts once more as a unique viewer when seen again.

-- +goose Up
DROP TABLE viewers;
DROP TABLE view_hours;
-- k is a hash of viewer, item and hour: the row says "counted" and nothing
-- else; rows of past hours are deleted. Unlogged on PostgreSQL: after a
-- server crash the table is empty and views of the current hour may count
-- once more, a price worth no WAL for every counted view.
CREATE {{unlogged}} TABLE view_hours (
    k    {{int64key}},
    hour BIGINT NOT NULL
);
CREATE TABLE view_sketches (
    media_id  {{uuid}} PRIMARY KEY,
    registers {{blob}} NOT NULL
);

-- +goose Down
DROP TABLE view_sketches;
DROP TABLE view_hours;
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
