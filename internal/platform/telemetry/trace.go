package telemetry

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// TraceConfig configures OpenTelemetry tracing.
type TraceConfig struct {
	// OTLPEndpoint is the OTLP/HTTP collector URL, e.g. http://localhost:4318.
	// Empty disables export (spans are still created so trace IDs reach logs).
	OTLPEndpoint string  `yaml:"otlp_endpoint" env:"OTLP_ENDPOINT" doc:"OTLP/HTTP endpoint (http://host:4318); empty disables export"`
	SampleRatio  float64 `yaml:"sample_ratio" env:"SAMPLE_RATIO" doc:"fraction of root traces sampled (0..1)"`
}

// Validate checks the endpoint URL and ratio.
func (c TraceConfig) Validate() error {
	if c.OTLPEndpoint != "" {
		u, err := url.Parse(c.OTLPEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("trace.otlp_endpoint: %q is not an http(s) URL", c.OTLPEndpoint)
		}
	}
	if c.SampleRatio < 0 || c.SampleRatio > 1 {
		return fmt.Errorf("trace.sample_ratio: %v is not between 0 and 1", c.SampleRatio)
	}
	return nil
}

// Tracing holds the tracer provider and the propagator used on HTTP and events.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	shutdown   func(context.Context) error
}

// Shutdown flushes pending spans.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.shutdown == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// NewTracing builds a tracer provider. Without an endpoint it still records
// trace IDs (for log correlation and propagation) but exports nothing.
func NewTracing(ctx context.Context, c TraceConfig, service, version string) (*Tracing, error) {
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	res := sdkresource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(service), semconv.ServiceVersion(version))
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(c.SampleRatio))),
	}
	if c.OTLPEndpoint != "" {
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(c.OTLPEndpoint+"/v1/traces"))
		if err != nil {
			return nil, fmt.Errorf("otlp exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	// Without an exporter the provider still mints trace and span IDs, so
	// logs carry them and traceparent propagates to other services.
	tp := sdktrace.NewTracerProvider(opts...)
	return &Tracing{Provider: tp, Propagator: prop, shutdown: tp.Shutdown}, nil
}
