-- KOReader sync: the partial MD5 KOReader computes of a file, per media
-- item's current file, and the devices users linked with an API token.

-- +goose Up
-- The current file of each item, so that files without a fingerprint are
-- found with an index rather than by reading every document.
ALTER TABLE feeds_media ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds_media ADD COLUMN file_size BIGINT NOT NULL DEFAULT 0;

CREATE TABLE feeds_documents (
    media_id    {{uuid}} PRIMARY KEY,
    sha256      TEXT NOT NULL,
    partial_md5 TEXT NOT NULL,
    computed_at {{timestamp}} NOT NULL
);
CREATE INDEX feeds_documents_partial_md5 ON feeds_documents (partial_md5);

CREATE TABLE feeds_koreader_links (
    username   TEXT NOT NULL,
    userkey    TEXT NOT NULL,
    user_id    {{uuid}} NOT NULL,
    token      TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (username, userkey)
);

-- +goose Down
DROP TABLE feeds_koreader_links;
DROP TABLE feeds_documents;
ALTER TABLE feeds_media DROP COLUMN file_size;
ALTER TABLE feeds_media DROP COLUMN file_sha256;
