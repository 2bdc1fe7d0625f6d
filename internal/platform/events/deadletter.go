package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// deadLetter is an event a consumer gave up on.
type deadLetter struct {
	bun.BaseModel `bun:"table:dead_letters"`
	ID            string    `bun:"id,pk"`
	Consumer      string    `bun:"consumer"`
	Topic         string    `bun:"topic"`
	EventID       string    `bun:"event_id"`
	Type          string    `bun:"type"`
	Metadata      string    `bun:"metadata"`
	Payload       []byte    `bun:"payload"`
	Error         string    `bun:"error"`
	Attempts      int       `bun:"attempts"`
	FailedAt      time.Time `bun:"failed_at"`
}

// DeadLetter is what operators see of a parked event.
type DeadLetter struct {
	ID       string          `json:"id" doc:"Dead letter ID (for replay)"`
	Consumer string          `json:"consumer" doc:"Consumer group that gave up"`
	Topic    string          `json:"topic"`
	EventID  string          `json:"event_id"`
	Type     string          `json:"type"`
	Error    string          `json:"error" doc:"The last attempt's error"`
	Attempts int             `json:"attempts"`
	FailedAt time.Time       `json:"failed_at"`
	Payload  json.RawMessage `json:"payload,omitempty"`
}

func (d deadLetter) view() DeadLetter {
	v := DeadLetter{ID: d.ID, Consumer: d.Consumer, Topic: d.Topic, EventID: d.EventID, Type: d.Type,
		Error: d.Error, Attempts: d.Attempts, FailedAt: d.FailedAt.UTC()}
	if json.Valid(d.Payload) {
		v.Payload = d.Payload
	}
	return v
}

// MetaReplayFor names the only consumer group a replayed dead letter is for.
const MetaReplayFor = "alexandria_replay_for"

// DeadLetters lists and replays one service's dead letters. It needs only
// the store (and a transport to replay), so the CLI uses it without running
// the service.
type DeadLetters struct {
	DB  *db.DB
	Bus bus.Transport
}

// List returns up to limit dead letters, oldest first, after the one with
// ID after (keyset pagination; "" starts at the beginning).
func (d DeadLetters) List(ctx context.Context, after string, limit int) ([]DeadLetter, error) {
	var rows []deadLetter
	q := d.DB.NewSelect().Model(&rows).Order("id").Limit(int64(limit))
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]DeadLetter, len(rows))
	for i, r := range rows {
		out[i] = r.view()
	}
	return out, nil
}

// Replay publishes a dead letter again, with its original event ID, on its
// topic, and removes it. Other consumer groups that handled the event before
// skip it (their inbox knows the ID); the group that failed handles it anew.
func (d DeadLetters) Replay(ctx context.Context, id string) error {
	var row deadLetter
	if err := d.DB.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return errs.NotFoundf("dead letter %s not found", id)
		}
		return err
	}
	// A fresh message ID: brokers that deduplicate by message ID (NATS
	// JetStream's window) would otherwise drop the replay silently. The
	// event keeps its ID in ce_id, which is what consumers deduplicate on.
	msg := message.NewMessage(uuid.Must(uuid.NewV7()).String(), row.Payload)
	if err := json.Unmarshal([]byte(row.Metadata), &msg.Metadata); err != nil {
		return fmt.Errorf("dead letter %s: unreadable metadata: %w", id, err)
	}
	if msg.Metadata.Get(bus.MetaID) == "" {
		msg.Metadata.Set(bus.MetaID, row.EventID)
	}
	// Only the group that gave up handles the replay; the others ignore it,
	// even if their inbox has forgotten the event meanwhile.
	msg.Metadata.Set(MetaReplayFor, row.Consumer)
	if err := d.Bus.Publisher().Publish(row.Topic, msg); err != nil {
		return errs.Wrap(errs.Unavailable, err, "the bus refused the replay; try again")
	}
	_, err := d.DB.NewDelete().Model((*deadLetter)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}

// Purge deletes dead letters (all of them when ids is empty) and reports how many.
func (d DeadLetters) Purge(ctx context.Context, ids ...string) (int64, error) {
	q := d.DB.NewDelete().Model((*deadLetter)(nil))
	if len(ids) > 0 {
		q = q.Where("id IN (?)", bun.List(ids))
	} else {
		q = q.Where("1 = 1")
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
