package storage

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are storage's own series; the store's pool metrics come from
// db.RegisterMetrics and tusd's are not exported (the edge middleware
// counts requests).
type metrics struct {
	uploads       *prometheus.CounterVec
	uploadBytes   *prometheus.CounterVec
	downloadBytes *prometheus.CounterVec
	accessCache   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_storage_uploads_total",
			Help: "Finished uploads by media kind and result (completed, refused, error).",
		}, []string{"kind", "result"}),
		uploadBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_storage_upload_bytes_total",
			Help: "Bytes of completed uploads by media kind and result.",
		}, []string{"kind", "result"}),
		downloadBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_storage_download_bytes_total",
			Help: "Bytes sent by downloads, by what was downloaded (content, derivative).",
		}, []string{"what"}),
		accessCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_storage_access_cache_lookups_total",
			Help: "Download visibility answers looked up in the access cache, by result (hit, miss).",
		}, []string{"result"}),
	}
	if reg == nil {
		return m, nil
	}
	// Two storage services in one process (tests) share the series.
	for _, c := range []**prometheus.CounterVec{&m.uploads, &m.uploadBytes, &m.downloadBytes, &m.accessCache} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
			*c = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return m, nil
}
