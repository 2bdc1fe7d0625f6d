-- Locks on tus uploads, shared by every storage replica: one request at a
-- time writes an upload, whichever replica it reaches. A lock is a lease
-- its holder renews; a crashed holder's lock lapses when expires_ms passes.
-- release_wanted is set by a request waiting for the lock: the holder then
-- ends its request (tusd's requestUnlock), as a client resuming after a
-- stalled connection expects.

-- +goose Up
CREATE TABLE tus_locks (
    upload_id      {{uuid}} PRIMARY KEY,
    holder         TEXT NOT NULL,
    expires_ms     BIGINT NOT NULL,
    release_wanted INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE tus_locks;
