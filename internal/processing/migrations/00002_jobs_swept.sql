-- The orphan sweeper (sweep.go): once a job has finished (done, failed or
-- superseded), the objects under its derivatives/<media_id>/<sha256>/ prefix
-- that no finished job of the same original reported are deleted, once.
-- swept_at (Unix milliseconds) records that this job's sweep ran.

-- +goose Up
ALTER TABLE jobs ADD COLUMN swept_at BIGINT;
CREATE INDEX jobs_unswept ON jobs (swept_at, state);

-- +goose Down
DROP INDEX jobs_unswept;
ALTER TABLE jobs DROP COLUMN swept_at;
