-- +goose Up
-- SQLite: the outbox id becomes the plain rowid instead of AUTOINCREMENT.
-- AUTOINCREMENT keeps the highest id ever given in sqlite_sequence, a row
-- read and rewritten by every insert: one more page written per event, on
-- every write that records one. The relay only needs ids that grow while
-- rows wait; a new rowid is above every row still in the table, and ids of
-- rows already published and deleted may come again, which nothing reads.
-- PostgreSQL keeps its identity column.
{{if sqlite}}
CREATE TABLE outbox_rowid (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    type TEXT NOT NULL,
    metadata TEXT NOT NULL,
    payload BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO outbox_rowid (id, event_id, topic, type, metadata, payload, created_at)
    SELECT id, event_id, topic, type, metadata, payload, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rowid RENAME TO outbox;
{{else}}
SELECT 1;
{{end}}

-- +goose Down
SELECT 1;
