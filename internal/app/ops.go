package app

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ops registers the operations endpoints every process serves.
//
// /livez answers while the process can serve HTTP at all; /readyz only when
// every target in the process is started and its store answers, and not
// while the process drains.
func ops(mux *http.ServeMux, reg *prometheus.Registry, ready *atomic.Bool, services []running) {
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		report := map[string]string{}
		if !ready.Load() {
			status = http.StatusServiceUnavailable
			report["process"] = "starting or shutting down"
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		for _, s := range services {
			if err := s.svc.Ready(ctx); err != nil {
				status = http.StatusServiceUnavailable
				report[s.name] = err.Error()
				continue
			}
			report[s.name] = "ok"
		}
		writeJSON(w, status, map[string]any{"ready": status == http.StatusOK, "targets": report})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
