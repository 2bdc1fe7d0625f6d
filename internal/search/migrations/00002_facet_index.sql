-- +goose Up
-- Totals and facets read only these columns of every match: a covering
-- index keeps a browse from visiting the (large) rows themselves.
CREATE INDEX search_media_facets ON search_media (visible, kind, language, license, id);

-- +goose Down
DROP INDEX search_media_facets;
