package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
)

// Setup is what a service hands its pipeline.
type Setup struct {
	// Service names the owner: the topic it publishes on, its consumer
	// group, and the source of its events.
	Service string
	DB      *db.DB
	Bus     bus.Transport
	Config  Config
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	Tracer  trace.TracerProvider
	// RelayGate, when not nil, holds the relay until it is closed.
	RelayGate <-chan struct{}
	// Group, when set, is the service's background work the relay and
	// consumers join, so that their failure reaches readiness; nil gives
	// the pipeline a group of its own.
	Group *lifecycle.Group
}

// Pipeline is one service's outbox relay and consumers.
type Pipeline struct {
	setup    Setup
	topic    string
	source   string
	log      *slog.Logger
	m        *metrics
	tracer   trace.Tracer
	relay    *relay
	insert   outboxInsert
	handlers map[string]map[string]Handler // topic → event type → handler

	group *lifecycle.Group
}

// New migrates the pipeline's tables in the service's store and prepares the
// relay. Register handlers with Handle, then call Start.
func New(ctx context.Context, s Setup) (*Pipeline, error) {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Tracer == nil {
		s.Tracer = noop.NewTracerProvider()
	}
	if s.Metrics == nil {
		s.Metrics = prometheus.NewRegistry()
	}
	if _, err := s.DB.MigrateWith(ctx, Migrations, VersionTable); err != nil {
		return nil, fmt.Errorf("events tables: %w", err)
	}
	m := newMetrics()
	if err := m.register(s.Metrics); err != nil {
		return nil, err
	}
	p := &Pipeline{
		setup: s, topic: bus.Topic(s.Service), source: "/alexandria/" + s.Service,
		log: s.Logger.With(slog.String("component", "events")), m: m,
		tracer:   s.Tracer.Tracer("github.com/alexandria-platform/alexandria/events"),
		handlers: map[string]map[string]Handler{},
	}
	p.relay = newRelay(p)
	p.prepareInsert(ctx)
	p.group = s.Group
	if p.group == nil {
		p.group = lifecycle.NewGroup(s.Service, s.Logger)
	}
	return p, nil
}

// Topic is the topic this service publishes on.
func (p *Pipeline) Topic() string { return p.topic }

// Start runs the relay and, when handlers are registered, the consumers,
// until Close. Each is a runner of the pipeline's group: a consumer whose
// subscription closes while the service runs is failed, and says so.
func (p *Pipeline) Start() error {
	if err := p.start(); err != nil {
		// What did start stops with the group: the service is not coming up.
		return errors.Join(err, p.group.Stop(context.Background()))
	}
	return nil
}

func (p *Pipeline) start() error {
	svc := p.setup.Service
	if err := p.group.Go("outbox relay", func(ctx context.Context) error {
		p.relay.run(ctx)
		return nil
	}); err != nil {
		return err
	}
	if len(p.handlers) == 0 {
		return nil
	}
	sub, err := p.setup.Bus.Subscriber(svc)
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", svc, err)
	}
	ctx := p.group.Context()
	for topic := range p.handlers {
		msgs, err := sub.Subscribe(ctx, topic)
		if err != nil {
			return errors.Join(fmt.Errorf("subscribe %s to %s: %w", svc, topic, err), sub.Close())
		}
		if err := p.group.Go("consumer of "+topic, func(ctx context.Context) error {
			p.consume(ctx, topic, msgs)
			if ctx.Err() == nil {
				return fmt.Errorf("the subscription to %s closed", topic)
			}
			return nil
		}); err != nil {
			return errors.Join(err, sub.Close())
		}
	}
	if err := p.group.Go("subscriber", func(ctx context.Context) error {
		<-ctx.Done()
		if err := sub.Close(); err != nil {
			p.log.WarnContext(ctx, "closing subscriber", slog.Any("error", err))
		}
		return nil
	}); err != nil {
		return errors.Join(err, sub.Close())
	}
	return p.group.Go("inbox housekeeping", func(ctx context.Context) error {
		p.housekeeping(ctx)
		return nil
	})
}

// Err reports the pipeline's failed runners (nil while all run).
func (p *Pipeline) Err() error { return p.group.Err() }

// Close stops the relay and consumers and waits for them until ctx ends: an
// event being handled finishes or is left unacknowledged for redelivery. A
// broker client that does not let go in time is abandoned (the process is
// stopping; the broker redelivers what was not acknowledged).
func (p *Pipeline) Close(ctx context.Context) error {
	if err := p.group.Stop(ctx); err != nil {
		return errors.Join(fmt.Errorf("events: %w", err), p.closeStatements())
	}
	return p.closeStatements()
}
