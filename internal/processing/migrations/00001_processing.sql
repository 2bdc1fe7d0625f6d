-- Processing jobs: one per completed upload. The consumer of
-- storage.upload.completed.v1 inserts the row; workers claim it (state
-- running with a lease), run it outside any transaction, and finish it
-- together with its event. run_at and leased_until are Unix milliseconds so
-- that comparisons are plain integer comparisons on both dialects.

-- +goose Up
CREATE TABLE jobs (
    id           {{uuid}} PRIMARY KEY,
    upload_id    TEXT NOT NULL UNIQUE,
    media_id     {{uuid}} NOT NULL,
    object_key   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    completed_at {{timestamp}} NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_at       BIGINT NOT NULL,
    leased_until BIGINT,
    lease_token  TEXT NOT NULL DEFAULT '',
    last_error   TEXT NOT NULL DEFAULT '',
    result       {{json}},
    created_at   {{timestamp}} NOT NULL,
    finished_at  {{timestamp}}
);
-- Workers look for due queued jobs and for expired leases.
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_media_state ON jobs (media_id, state);

-- +goose Down
DROP TABLE jobs;
