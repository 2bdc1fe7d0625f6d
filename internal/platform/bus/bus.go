// Package bus moves event messages between services over a transport chosen
// by URL: the embedded durable bus (default, in this package), or one of
// Backends, each in its own package below this one and linked in only when
// registered: NATS JetStream, Apache Kafka, RabbitMQ, Google Cloud Pub/Sub,
// AWS SNS/SQS, Redis Streams or PostgreSQL. Every transport is a Watermill
// publisher and subscriber behind the small Transport interface; the
// transactional semantics (outbox, inbox, retries, dead letters) live in
// package events, above this one.
package bus

import (
	"context"
	"log/slog"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Transport is one connection to a message broker.
//
// Delivery is at least once: a message may arrive more than once, and
// consumers must be idempotent (package events dedupes by event ID).
type Transport interface {
	// Name is the transport's scheme, e.g. "embedded", "nats", "kafka".
	Name() string
	// Publisher returns the transport's publisher. It is safe for concurrent
	// use; Publish returns only after the broker has accepted the messages
	// (so the outbox may delete them).
	Publisher() message.Publisher
	// Subscriber returns a subscriber for a consumer group. Subscribers of the
	// same group share a topic's messages (each message goes to one of them);
	// different groups each receive every message. A message that is nacked,
	// or whose subscriber goes away before acking, is delivered again.
	Subscriber(group string) (message.Subscriber, error)
	// Close releases the connection; publishers and subscribers stop.
	Close() error
}

// Options configure a transport.
type Options struct {
	Logger *slog.Logger
	// DataDir holds the embedded bus's file.
	DataDir string
}

// Open connects to the transport named by rawURL; an empty URL is the
// embedded durable bus in DataDir. Other schemes need their backend
// registered (see Backends and Register).
func Open(ctx context.Context, rawURL string, o Options) (Transport, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// Watermill logs every message at info; that is debug detail here.
	o.Logger = slog.New(quieter{o.Logger.Handler()})
	if rawURL == "" {
		return openEmbedded(ctx, o)
	}
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	open, err := opener(u)
	if err != nil {
		return nil, err
	}
	return open(ctx, u, o)
}

// ValidateURL checks a bus URL without connecting: its scheme must be one
// of Backends and compiled into this binary.
func ValidateURL(rawURL string) error {
	if rawURL == "" {
		return nil
	}
	u, err := parseURL(rawURL)
	if err != nil {
		return err
	}
	_, err = opener(u)
	return err
}

// Topic returns the topic a service publishes its events on. Names use only
// letters and underscores, which every broker accepts (SQS and NATS stream
// names refuse dots).
func Topic(service string) string { return "alexandria_" + strings.ReplaceAll(service, "-", "_") }

// quieter demotes info records to debug.
type quieter struct{ slog.Handler }

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return q.Handler.Enabled(ctx, l)
}

func (q quieter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	return q.Handler.Handle(ctx, r)
}

func (q quieter) WithAttrs(as []slog.Attr) slog.Handler { return quieter{q.Handler.WithAttrs(as)} }
func (q quieter) WithGroup(n string) slog.Handler       { return quieter{q.Handler.WithGroup(n)} }
