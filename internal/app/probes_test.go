package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
)

type healthyService struct{}

func (healthyService) Ready(context.Context) error { return nil }
func (healthyService) Close(context.Context) error { return nil }

func TestReadyzReportsFailedBackgroundWork(t *testing.T) {
	t.Parallel()
	group := lifecycle.NewGroup("catalog", nil)
	t.Cleanup(func() { _ = group.Stop(context.Background()) })
	services := []running{{name: "catalog", svc: healthyService{}, background: group}}
	var ready atomic.Bool
	ready.Store(true)
	mux := http.NewServeMux()
	probes(mux, &ready, services)
	readyz := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var body map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Fatalf("readyz with healthy work = %d %v, want 200", code, body)
	}
	stop := make(chan struct{})
	_ = group.Go("consumer of identity", func(context.Context) error {
		<-stop
		return errors.New("the subscription to identity closed")
	})
	close(stop)
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := readyz()
		targets, _ := body["targets"].(map[string]any)
		reason, _ := targets["catalog"].(string)
		if code == http.StatusServiceUnavailable && strings.Contains(reason, "consumer of identity: the subscription to identity closed") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after a consumer failed = %d %v, want 503 naming the consumer and its cause", code, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOpsPprofIsOptIn(t *testing.T) {
	t.Parallel()
	var ready atomic.Bool
	ready.Store(true)
	for _, tc := range []struct {
		pprof bool
		want  int
	}{{false, http.StatusNotFound}, {true, http.StatusOK}} {
		h := opsHandler(prometheus.NewRegistry(), &ready, nil, tc.pprof)
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != tc.want {
				t.Errorf("ops_pprof=%v: GET %s = %d, want %d", tc.pprof, path, rec.Code, tc.want)
			}
		}
	}
}
