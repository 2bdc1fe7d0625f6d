-- Signed download links, recorded so their creator's rights and the item's
-- state are checked on every download, and so they can be listed and
-- revoked. A link row outlives its expiry by a day (the sweeper drops it).

-- +goose Up
CREATE TABLE download_links (
    id         {{uuid}} PRIMARY KEY,
    media_id   {{uuid}} NOT NULL,
    created_by {{uuid}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    revoked_at {{timestamp}},
    revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX download_links_media ON download_links (media_id, created_at);
CREATE INDEX download_links_expires ON download_links (expires_at);

-- +goose Down
DROP TABLE download_links;
