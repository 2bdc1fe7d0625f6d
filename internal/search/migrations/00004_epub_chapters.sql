-- +goose Up
-- The part of the extracted text a passage comes from: a PDF's page, an
-- EPUB's reading-order document (form-feed separated in the text
-- derivative); 0 for text without parts (and rows made before this column,
-- whose page is then the part).
ALTER TABLE search_pages ADD COLUMN part INTEGER NOT NULL DEFAULT 0;

-- An EPUB's table of contents, from processing.media.processed.v1, per
-- original (sha256): each entry's title, href and the part of the text it
-- starts in (0 when processing did not say).
CREATE TABLE search_chapters (
    media_id {{uuid}} NOT NULL,
    sha256   TEXT NOT NULL,
    position INTEGER NOT NULL,
    part     INTEGER NOT NULL,
    title    TEXT NOT NULL,
    href     TEXT NOT NULL,
    PRIMARY KEY (media_id, sha256, position)
);

-- +goose Down
DROP TABLE search_chapters;
ALTER TABLE search_pages DROP COLUMN part;
