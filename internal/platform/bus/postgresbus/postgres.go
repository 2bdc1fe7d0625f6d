// Package postgresbus is the PostgreSQL tables (watermill-sql) transport of package bus (postgres:// and postgresql://).
// It is linked into a binary only when Register is called.
package postgresbus

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("postgres", open) }

// open uses PostgreSQL tables as the bus (watermill-sql): one
// messages table "watermill_<topic>" and one offsets table
// "watermill_offsets_<topic>" per topic, created on first use. A consumer
// group is a row in the offsets table; its replicas take turns reading
// batches under a row lock. A nack resends after a second; a replica that
// dies mid-message rolls back its transaction and the next reader of the
// group gets the message again. ?poll= (default 250ms) is the idle poll
// interval; ?batch= (default 10) the batch size.
func open(ctx context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	q := u.Query()
	poll, err := bus.DurationParam(q, "poll", 250*time.Millisecond)
	if err != nil {
		return nil, err
	}
	batch, err := bus.IntParam(q, "batch", 10)
	if err != nil {
		return nil, err
	}
	q.Del("poll")
	q.Del("batch")
	raw := *u
	raw.RawQuery = q.Encode()
	pool, err := pgxpool.New(ctx, raw.String())
	if err != nil {
		return nil, fmt.Errorf("bus.url: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("bus: postgres: %w", err)
	}
	logger := watermill.NewSlogLogger(o.Logger)
	db := wmsql.BeginnerFromPgx(pool)
	schema := wmsql.DefaultPostgreSQLSchema{
		GeneratePayloadType: func(string) string { return "BYTEA" },
		SubscribeBatchSize:  batch,
	}
	pub, err := wmsql.NewPublisher(db, wmsql.PublisherConfig{SchemaAdapter: schema, AutoInitializeSchema: true}, logger)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("bus: postgres publisher: %w", err)
	}
	ackDeadline := 30 * time.Second
	return bus.NewTransport(bus.Parts{
		Name:      "postgres",
		Publisher: pub,
		NewSubscriber: func(group string) (message.Subscriber, error) {
			return wmsql.NewSubscriber(db, wmsql.SubscriberConfig{
				ConsumerGroup:    group,
				AckDeadline:      &ackDeadline,
				PollInterval:     poll,
				ResendInterval:   time.Second,
				RetryInterval:    time.Second,
				SchemaAdapter:    schema,
				OffsetsAdapter:   wmsql.DefaultPostgreSQLOffsetsAdapter{},
				InitializeSchema: true,
			}, logger)
		},
		Release: []func() error{func() error { pool.Close(); return nil }},
	}), nil
}
