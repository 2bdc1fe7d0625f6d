package bus

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgxpool"
)

// openPostgres uses PostgreSQL tables as the bus (watermill-sql): one
// messages table "watermill_<topic>" and one offsets table
// "watermill_offsets_<topic>" per topic, created on first use. A consumer
// group is a row in the offsets table; its replicas take turns reading
// batches under a row lock. A nack resends after a second; a replica that
// dies mid-message rolls back its transaction and the next reader of the
// group gets the message again. ?poll= (default 250ms) is the idle poll
// interval; ?batch= (default 10) the batch size.
func openPostgres(ctx context.Context, u *url.URL, o Options) (Transport, error) {
	q := u.Query()
	poll, err := durationParam(q, "poll", 250*time.Millisecond)
	if err != nil {
		return nil, err
	}
	batch, err := intParam(q, "batch", 10)
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
	return &transport{
		name: "postgres",
		pub:  &checkedPublisher{Publisher: pub},
		newSub: func(group string) (message.Subscriber, error) {
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
		release: []func() error{func() error { pool.Close(); return nil }},
	}, nil
}
