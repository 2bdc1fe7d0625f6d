package events

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the event pipeline's Prometheus series. Several services in
// one process share one registry, so every series carries the service.
type metrics struct {
	backlog        *prometheus.GaugeVec
	oldest         *prometheus.GaugeVec
	published      *prometheus.CounterVec
	publishLatency *prometheus.HistogramVec
	publishErrors  *prometheus.CounterVec
	handled        *prometheus.CounterVec
	handleLatency  *prometheus.HistogramVec
	lag            *prometheus.HistogramVec
	deadLetters    *prometheus.GaugeVec
}

var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics() *metrics {
	return &metrics{
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "alexandria_outbox_backlog", Help: "Events in the outbox not yet published.",
		}, []string{"service"}),
		oldest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "alexandria_outbox_oldest_age_seconds", Help: "Age of the oldest unpublished outbox event (0 when empty).",
		}, []string{"service"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_events_published_total", Help: "Events the relay published, by type.",
		}, []string{"service", "type"}),
		publishLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alexandria_event_publish_seconds", Help: "Time from commit to the broker accepting the event.",
			Buckets: latencyBuckets,
		}, []string{"service"}),
		publishErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_event_publish_errors_total", Help: "Failed publish rounds (the relay backs off and retries).",
		}, []string{"service"}),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_events_handled_total", Help: "Events handled by consumers, by result (ok, duplicate, retry, dead_letter, ignored).",
		}, []string{"consumer", "type", "result"}),
		handleLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alexandria_event_handle_seconds", Help: "Time a consumer spent on one attempt of an event.",
			Buckets: latencyBuckets,
		}, []string{"consumer", "type"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alexandria_event_consumer_lag_seconds", Help: "Time from the event's commit to its handling.",
			Buckets: latencyBuckets,
		}, []string{"consumer", "topic"}),
		deadLetters: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "alexandria_dead_letters", Help: "Events parked as dead letters, awaiting an operator.",
		}, []string{"consumer"}),
	}
}

// register adds the collectors to reg. Services in one process share a
// registry, so a collector another service registered first is reused.
func (m *metrics) register(reg prometheus.Registerer) error {
	var err error
	for _, g := range []**prometheus.GaugeVec{&m.backlog, &m.oldest, &m.deadLetters} {
		if *g, err = shared(reg, *g); err != nil {
			return err
		}
	}
	for _, c := range []**prometheus.CounterVec{&m.published, &m.publishErrors, &m.handled} {
		if *c, err = shared(reg, *c); err != nil {
			return err
		}
	}
	for _, h := range []**prometheus.HistogramVec{&m.publishLatency, &m.handleLatency, &m.lag} {
		if *h, err = shared(reg, *h); err != nil {
			return err
		}
	}
	return nil
}

func shared[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	return c, err
}
