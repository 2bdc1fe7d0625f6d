package feeds

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the feeds' series on the operations registry.
type metrics struct {
	requests *prometheus.CounterVec
	render   *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_feeds_requests_total",
			Help: "Feed requests by format and result: hit (served from the cache), miss (rendered), not_modified (304).",
		}, []string{"format", "result"}),
		render: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alexandria_feeds_render_seconds",
			Help:    "Time to render a feed from the read model on a cache miss, by format.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"format"}),
	}
	if reg == nil {
		return m, nil
	}
	// Two feeds services in one process (tests) share the series.
	if err := reg.Register(m.requests); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		m.requests = are.ExistingCollector.(*prometheus.CounterVec)
	}
	if err := reg.Register(m.render); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		m.render = are.ExistingCollector.(*prometheus.HistogramVec)
	}
	return m, nil
}
