package processing

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics of the worker pool.
type metrics struct {
	jobs     *prometheus.CounterVec   // by kind and result
	duration *prometheus.HistogramVec // by kind
	depth    prometheus.Gauge
	running  prometheus.Gauge
	// transcode is the time of one rendition's transcode, by rung height;
	// transcoded the seconds of media made, by rung height.
	transcode  *prometheus.HistogramVec
	transcoded *prometheus.CounterVec
	// swept counts orphaned derivative objects deleted (sweep.go);
	// resumed counts renditions an attempt kept from an earlier one.
	swept   prometheus.Counter
	resumed prometheus.Counter
}

// Job results counted by alexandria_processing_jobs_total.
const (
	resultProcessed = "processed"
	resultFailed    = "failed"
	resultRetried   = "retried"
	resultLost      = "lease_lost"
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_processing_jobs_total",
			Help: "Processing job attempts by media kind and result (processed, failed, retried, lease_lost).",
		}, []string{"kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alexandria_processing_job_seconds",
			Help:    "Time a processing job attempt took, tools and object store included.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"kind"}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "alexandria_processing_queue_depth",
			Help: "Processing jobs queued and not yet claimed, as last seen by this process's workers.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "alexandria_processing_jobs_running",
			Help: "Processing jobs running in this process.",
		}),
		transcode: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alexandria_processing_transcode_seconds",
			Help:    "Time one HLS rendition took to transcode, by rung height.",
			Buckets: []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"height"}),
		transcoded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_processing_transcoded_media_seconds_total",
			Help: "Seconds of media transcoded into HLS renditions, by rung height.",
		}, []string{"height"}),
		swept: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "alexandria_processing_orphans_deleted_total",
			Help: "Derivative objects deleted because no finished job reported them (abandoned transcodes, replaced or removed originals).",
		}),
		resumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "alexandria_processing_renditions_resumed_total",
			Help: "HLS renditions a job attempt kept from an earlier, interrupted attempt instead of transcoding them again.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.jobs, m.duration, m.depth, m.running, m.transcode, m.transcoded, m.swept, m.resumed} {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}
