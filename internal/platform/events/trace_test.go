package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestConsumerSpanContinuesTheProducersTrace checks that the span handling an
// event belongs to the trace that recorded it and links to its span.
func TestConsumerSpanContinuesTheProducersTrace(t *testing.T) {
	t.Parallel()
	ended := make(chan sdktrace.ReadOnlySpan, 256)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(endedSpans(ended)))
	s := moduletest.Stores(t)[0]
	d := moduletest.OpenDB(t, s, "traced", effectsMigration)
	p, err := events.New(context.Background(), events.Setup{Service: "traced", DB: d, Bus: bus.NewMemory(nil),
		Config: moduletest.FastEvents(), Metrics: prometheus.NewRegistry(), Tracer: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	handled := make(chan trace.SpanContext, 1)
	p.Handle(p.Topic(), "test.traced.v1", func(ctx context.Context, _ bun.Tx, _ bus.Event) error {
		handled <- trace.SpanContextFromContext(ctx)
		return nil
	})
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, producer := tp.Tracer("test").Start(context.Background(), "POST /v1/things")
	err = d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return p.Record(ctx, tx, "test.traced.v1", "thing/1", "1", map[string]int{"n": 1})
	})
	producer.End()
	if err != nil {
		t.Fatal(err)
	}
	consumer := <-handled
	if consumer.TraceID() != producer.SpanContext().TraceID() {
		t.Fatalf("consumer trace %s, producer trace %s", consumer.TraceID(), producer.SpanContext().TraceID())
	}
	// The span ends just after the handler returns: wait for it to end.
	timeout := time.After(5 * time.Second)
	for {
		var span sdktrace.ReadOnlySpan
		select {
		case span = <-ended:
		case <-timeout:
			t.Fatal("no consumer span ended")
		}
		if span.Name() != "process test.traced.v1" {
			continue
		}
		if span.Parent().SpanID() != producer.SpanContext().SpanID() {
			t.Fatalf("consumer span's parent %s, want the producer span %s", span.Parent().SpanID(), producer.SpanContext().SpanID())
		}
		if len(span.Links()) != 1 || span.Links()[0].SpanContext.SpanID() != producer.SpanContext().SpanID() {
			t.Fatalf("consumer span links %+v", span.Links())
		}
		return
	}
}

// endedSpans is a span processor that hands the spans that end to ch; it
// never blocks the code ending them (a full channel drops the span).
type endedSpans chan<- sdktrace.ReadOnlySpan

func (ch endedSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (ch endedSpans) OnEnd(s sdktrace.ReadOnlySpan) {
	select {
	case ch <- s:
	default:
	}
}
func (ch endedSpans) Shutdown(context.Context) error   { return nil }
func (ch endedSpans) ForceFlush(context.Context) error { return nil }
