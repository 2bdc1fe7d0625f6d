-- The processing saga: storage reports an upload, processing reports what it
-- found and made. object_key is the original the item currently points at;
-- events about another object are stale and ignored. content and derivatives
-- hold processing's findings as JSON for the media JSON.

-- +goose Up
ALTER TABLE media ADD COLUMN object_key TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN content TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN derivatives TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE media DROP COLUMN derivatives;
ALTER TABLE media DROP COLUMN content;
ALTER TABLE media DROP COLUMN status_reason;
ALTER TABLE media DROP COLUMN object_key;
