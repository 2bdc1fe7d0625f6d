-- The author-removal saga removes an author's media with it and restores
-- them with it: removed_by remembers which author's removal removed an item
-- ('' when it was removed on its own), so a restore brings back exactly those.

-- +goose Up
ALTER TABLE media ADD COLUMN removed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX media_removed_by ON media (removed_by);

-- +goose Down
DROP INDEX media_removed_by;
ALTER TABLE media DROP COLUMN removed_by;
