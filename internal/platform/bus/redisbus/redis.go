// Package redisbus is the Redis Streams transport of package bus (redis:// and rediss://).
// It is linked into a binary only when Register is called.
package redisbus

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("redis", open) }

// open connects to Redis and uses one stream per topic. A
// consumer group is a Redis consumer group created at the stream's start
// ("0"), so a new group reads the retained history; each replica is a
// consumer of it. A nack redelivers at once; messages left pending by a
// consumer that went away are claimed by a live consumer of the group once
// they have been idle for ?min_idle= (default 30s), checked every
// ?claim_interval= (default 5s). ?maxlen= caps each stream (approximate
// trimming; default unbounded).
func open(ctx context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	q := u.Query()
	minIdle, err := bus.DurationParam(q, "min_idle", 30*time.Second)
	if err != nil {
		return nil, err
	}
	claimInterval, err := bus.DurationParam(q, "claim_interval", 5*time.Second)
	if err != nil {
		return nil, err
	}
	maxlen := 0
	if q.Get("maxlen") != "" {
		if maxlen, err = bus.IntParam(q, "maxlen", 0); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"min_idle", "claim_interval", "maxlen"} {
		q.Del(k)
	}
	raw := *u
	raw.RawQuery = q.Encode()
	opts, err := redis.ParseURL(raw.String())
	if err != nil {
		return nil, fmt.Errorf("bus.url: %w", err)
	}
	// Watermill's publisher and subscribers close their client: each gets
	// its own.
	client := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("bus: redis: %w", err)
	}
	logger := watermill.NewSlogLogger(o.Logger)
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: client, DefaultMaxlen: int64(maxlen)}, logger)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("bus: redis publisher: %w", err)
	}
	return bus.NewTransport(bus.Parts{
		Name:      "redis",
		Publisher: pub,
		NewSubscriber: func(group string) (message.Subscriber, error) {
			return redisstream.NewSubscriber(redisstream.SubscriberConfig{
				Client:        redis.NewClient(opts),
				ConsumerGroup: group,
				OldestId:      "0",
				MaxIdleTime:   minIdle,
				ClaimInterval: claimInterval,
				BlockTime:     time.Second,
				// Bounded initial XREADGROUP so Close never waits on a
				// blocked read (go-redis cannot cancel it).
				DisableIndefiniteInitialBlock: true,
			}, logger)
		},
	}), nil
}
