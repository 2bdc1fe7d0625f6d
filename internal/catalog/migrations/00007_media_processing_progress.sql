-- How far processing's long work (a video's transcoding) is, from its
-- progress reports: 0 to 1 while the item is processing, NULL otherwise.

-- +goose Up
ALTER TABLE media ADD COLUMN processing_progress DOUBLE PRECISION;

-- +goose Down
ALTER TABLE media DROP COLUMN processing_progress;
