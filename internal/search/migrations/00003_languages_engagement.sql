-- +goose Up
-- The languages of indexed items: a query without a language filter is
-- stemmed for each of them.
CREATE TABLE search_languages (
    language TEXT PRIMARY KEY
);
INSERT INTO search_languages (language) SELECT DISTINCT language FROM search_media;

-- Engagement counts from engagement's events, per item (the item may not be
-- indexed yet). Consumers add to them; a background flush copies
-- views + 10 × likes into search_media.popularity for the rows whose seq
-- moved past flushed_seq, so a burst of likes rewrites the item's row and
-- its sort index once per flush, not once per event.
CREATE TABLE search_engagement (
    media_id    {{uuid}} PRIMARY KEY,
    likes       BIGINT NOT NULL DEFAULT 0,
    views       BIGINT NOT NULL DEFAULT 0,
    seq         BIGINT NOT NULL DEFAULT 0,
    flushed_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX search_engagement_dirty ON search_engagement (media_id) WHERE seq > flushed_seq;

-- +goose Down
DROP TABLE search_engagement;
DROP TABLE search_languages;
