package feeds

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the feeds' series on the operations registry.
type metrics struct {
	requests *prometheus.CounterVec
	render   *prometheus.HistogramVec
	// tokens counts private feed tokens created and revoked; private,
	// private feed requests served or refused (unknown or revoked token).
	tokens  *prometheus.CounterVec
	private *prometheus.CounterVec
	// popular counts the OPDS popular pages built, by the list they show.
	popular *prometheus.CounterVec
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
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_feeds_private_tokens_total",
			Help: "Private feed tokens by event: created, revoked.",
		}, []string{"event"}),
		private: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_feeds_private_requests_total",
			Help: "Private feed requests by result: served (token live), unknown (unknown or revoked token).",
		}, []string{"result"}),
		popular: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_feeds_popular_builds_total",
			Help: "OPDS popular pages built, by source: analytics (its ranking), newest (analytics failed or ranked nothing listed).",
		}, []string{"source"}),
	}
	if reg == nil {
		return m, nil
	}
	// Two feeds services in one process (tests) share the series.
	for _, c := range []**prometheus.CounterVec{&m.requests, &m.tokens, &m.private, &m.popular} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
			*c = are.ExistingCollector.(*prometheus.CounterVec)
		}
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
