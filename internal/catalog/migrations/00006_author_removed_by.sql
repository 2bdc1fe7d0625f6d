-- Who removed an author decides who may restore it: 'owner' (its owners or
-- moderators) or 'moderator' (moderators only; also an author removed because
-- its only owner's account was deleted). Authors removed before this column
-- existed have '' and, like a moderator's removal, only moderators restore them.

-- +goose Up
ALTER TABLE authors ADD COLUMN removed_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE authors DROP COLUMN removed_by;
