// Package natsbus is the NATS JetStream transport of package bus (nats://).
// It is linked into a binary only when Register is called.
package natsbus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmjs "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/jetstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("nats", open) }

// natsConfig is what a nats:// URL says.
type natsConfig struct {
	server  string        // nats://user:pass@host:port[,host2:port]
	ackWait time.Duration // ?ack_wait=30s: redelivery after an unacknowledged delivery
	maxAge  time.Duration // ?max_age=168h: stream retention
}

// open connects to NATS JetStream. Each topic is a stream of the same
// name with one subject, created on first publish or subscribe (file
// storage, limits retention, max_age, 2-minute duplicate window keyed by the
// message UUID). Each consumer group is a durable pull consumer named after
// the group: replicas of a group pull from the same consumer and so share
// the messages; a nack redelivers at once, an unacknowledged message comes
// back after ack_wait. Connections reconnect forever.
func open(ctx context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	q := u.Query()
	c := natsConfig{server: (&url.URL{Scheme: "nats", User: u.User, Host: u.Host}).String()}
	var err error
	if c.ackWait, err = bus.DurationParam(q, "ack_wait", 30*time.Second); err != nil {
		return nil, err
	}
	if c.maxAge, err = bus.DurationParam(q, "max_age", 7*24*time.Hour); err != nil {
		return nil, err
	}
	logger := watermill.NewSlogLogger(o.Logger)

	pubConn, err := c.connect("alexandria-publisher")
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(pubConn)
	if err != nil {
		pubConn.Close()
		return nil, fmt.Errorf("bus: nats: %w", err)
	}
	if _, err := js.AccountInfo(ctx); err != nil {
		pubConn.Close()
		return nil, fmt.Errorf("bus: nats: JetStream is not available on %s: %w", u.Host, err)
	}
	pub, err := wmjs.NewPublisher(wmjs.PublisherConfig{
		Conn:            pubConn,
		Logger:          logger,
		ConfigureStream: c.stream,
		TrackMessageID:  true,
	})
	if err != nil {
		pubConn.Close()
		return nil, fmt.Errorf("bus: nats publisher: %w", err)
	}
	return bus.NewTransport(bus.Parts{
		Name:      "nats",
		Publisher: pub,
		Prepare: func(topic string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := c.ensureStream(ctx, js, topic)
			return err
		},
		NewSubscriber: func(group string) (message.Subscriber, error) {
			conn, err := c.connect("alexandria-" + group)
			if err != nil {
				return nil, err
			}
			// The subscriber owns (and on Close drains) its connection.
			sub, err := newSubscriber(conn, c, group, o.Logger)
			if err != nil {
				conn.Close()
				return nil, err
			}
			return sub, nil
		},
	}), nil
}

func (c natsConfig) connect(name string) (*nats.Conn, error) {
	nc, err := nats.Connect(c.server,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond),
		nats.Timeout(5*time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: nats connect: %w", err)
	}
	return nc, nil
}

func (c natsConfig) stream(topic string) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       topic,
		Subjects:   []string{topic},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     c.maxAge,
		Duplicates: 2 * time.Minute,
	}
}

func (c natsConfig) ensureStream(ctx context.Context, js jetstream.JetStream, topic string) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, topic)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, c.stream(topic))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, topic)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bus: nats stream %s: %w", topic, err)
	}
	return s, nil
}
