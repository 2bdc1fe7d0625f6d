package search

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	indexLatency *prometheus.HistogramVec
	textFetches  *prometheus.CounterVec
	// popularityFlushed counts items whose popularity was rewritten.
	popularityFlushed prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		indexLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alexandria_search_index_latency_seconds",
			Help:    "From an event's time to the moment its change is searchable, by what changed (metadata, text).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"what"}),
		textFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_search_text_fetches_total",
			Help: "Fetches of extracted text from storage by result (indexed, retried, gave_up, stale).",
		}, []string{"result"}),
		popularityFlushed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "alexandria_search_popularity_flushed_total",
			Help: "Items whose popularity (sort=popular) was rewritten from engagement counts.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	return m, errors.Join(reg.Register(m.indexLatency), reg.Register(m.textFetches), reg.Register(m.popularityFlushed))
}
