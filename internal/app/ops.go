package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// opsHandler serves the operations listener (http.ops_addr): /metrics, and
// /livez and /readyz again, so one port answers everything an operator's
// tooling asks. /metrics is never on the public port: it shows sign-in
// failures, dead letters and the routes in use.
//
// With withPprof (http.ops_pprof) it also serves Go's runtime profiles under
// /debug/pprof/, for finding where an idle or busy process spends memory
// and CPU; they are never on the public port.
func opsHandler(reg *prometheus.Registry, ready *atomic.Bool, services []running, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	probes(mux, ready, services)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if withPprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteProblem(w, r, httpx.NotFoundProblem(r))
	})
	return mux
}

// probes registers the health endpoints, served on the public port (where
// load balancers and container probes ask) and on the operations listener.
//
// /livez answers while the process can serve HTTP at all; /readyz only when
// every target in the process is started and its store answers, and not
// while the process drains.
func probes(mux *http.ServeMux, ready *atomic.Bool, services []running) {
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
			err := s.svc.Ready(ctx)
			if err == nil && s.background != nil {
				err = s.background.Err()
			}
			if err != nil {
				status = http.StatusServiceUnavailable
				report[s.name] = err.Error()
				continue
			}
			report[s.name] = "ok"
		}
		writeJSON(w, status, map[string]any{"ready": status == http.StatusOK, "targets": report})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
