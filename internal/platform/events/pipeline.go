package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
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
	handlers map[string]map[string]Handler // topic → event type → handler

	cancel context.CancelFunc
	wg     sync.WaitGroup
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
	return p, nil
}

// Topic is the topic this service publishes on.
func (p *Pipeline) Topic() string { return p.topic }

// Start runs the relay and, when handlers are registered, the consumers,
// until Close.
func (p *Pipeline) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.relay.run(ctx)
	}()
	if len(p.handlers) == 0 {
		return nil
	}
	sub, err := p.setup.Bus.Subscriber(p.setup.Service)
	if err != nil {
		cancel()
		p.wg.Wait()
		return fmt.Errorf("subscribe %s: %w", p.setup.Service, err)
	}
	for topic := range p.handlers {
		msgs, err := sub.Subscribe(ctx, topic)
		if err != nil {
			cancel()
			p.wg.Wait()
			return errors.Join(fmt.Errorf("subscribe %s to %s: %w", p.setup.Service, topic, err), sub.Close())
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.consume(ctx, topic, msgs)
		}()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		<-ctx.Done()
		if err := sub.Close(); err != nil {
			p.log.Warn("closing subscriber", slog.Any("error", err))
		}
	}()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.housekeeping(ctx)
	}()
	return nil
}

// Close stops the relay and consumers and waits for them until ctx ends: an
// event being handled finishes or is left unacknowledged for redelivery. A
// broker client that does not let go in time is abandoned (the process is
// stopping; the broker redelivers what was not acknowledged).
func (p *Pipeline) Close(ctx context.Context) error {
	if p.cancel != nil {
		p.cancel()
	}
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("events: %s's consumers did not stop in time: %w", p.setup.Service, ctx.Err())
	}
}
