-- +goose Up
-- One dead letter per event and consumer: a crash between parking an event
-- and acknowledging it redelivers the event, which must not park it twice.
DELETE FROM dead_letters WHERE id NOT IN (
    SELECT MIN(id) FROM dead_letters GROUP BY consumer, event_id
);
CREATE UNIQUE INDEX dead_letters_consumer_event ON dead_letters (consumer, event_id);

-- +goose Down
DROP INDEX dead_letters_consumer_event;
