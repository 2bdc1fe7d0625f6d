-- The processing saga, in storage's order: uploaded_at is when storage
-- recorded the item's current original (its storage.upload.completed
-- completed_at, which grows with every file storage records for the item),
-- so a report of an earlier upload that arrives late is stale.
-- settled_status is the status processing returns the item to: draft or
-- published, as it was before the upload (processing never publishes a
-- draft). Items processing at the upgrade have none and return to draft.

-- +goose Up
ALTER TABLE media ADD COLUMN uploaded_at {{timestamp}};
ALTER TABLE media ADD COLUMN settled_status TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE media DROP COLUMN settled_status;
ALTER TABLE media DROP COLUMN uploaded_at;
