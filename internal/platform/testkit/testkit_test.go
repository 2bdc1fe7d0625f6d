package testkit_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

func TestCounterSumsTheMatchingSeries(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "things_total", Help: "Things."}, []string{"kind", "result"})
	reg.MustRegister(c)
	c.WithLabelValues("a", "ok").Add(2)
	c.WithLabelValues("a", "failed").Add(3)
	c.WithLabelValues("b", "ok").Add(5)
	for _, tc := range []struct {
		want map[string]string
		sum  float64
	}{
		{nil, 10},
		{map[string]string{"kind": "a"}, 5},
		{map[string]string{"result": "ok"}, 7},
		{map[string]string{"kind": "b", "result": "failed"}, 0},
		{map[string]string{"missing": "x"}, 0},
	} {
		if got := testkit.Counter(t, reg, "things_total", tc.want); got != tc.sum {
			t.Errorf("Counter(%v) = %v, want %v", tc.want, got, tc.sum)
		}
	}
}

func TestEventuallyReturnsOnceTheConditionHolds(t *testing.T) {
	t.Parallel()
	calls := 0
	testkit.Eventually(t, "the third call", func() bool { calls++; return calls == 3 })
	if calls != 3 {
		t.Fatalf("%d calls, want 3", calls)
	}
}
