// Package testkit holds the helpers the tests of every package share, so
// that each exists once: waiting for a condition, reading a counter from a
// Prometheus registry, a free local port, and the rule for a missing
// server or tool (skip, or fail under TEST_REQUIRE_SERVERS=1, as CI sets).
package testkit

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Patience is how long Eventually waits before it fails the test.
const Patience = 15 * time.Second

// Eventually polls cond, first often and then every 200 ms, until it holds;
// it fails the test, naming what it waited for, after Patience. Use it to
// wait for a signal (a row, a counter, a state), never to wait for time to
// pass.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for wait := 5 * time.Millisecond; !cond(); wait = min(2*wait, 200*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(wait)
	}
}

// Counter sums the samples of the counter name in g whose labels carry
// every value of want (nil: all of them).
func Counter(t testing.TB, g prometheus.Gatherer, name string, want map[string]string) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	sample:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue sample
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// RequireServers reports whether a missing server or tool fails the tests
// instead of skipping them (TEST_REQUIRE_SERVERS=1, set by CI).
func RequireServers() bool { return os.Getenv("TEST_REQUIRE_SERVERS") == "1" }

// SkipOrFail skips the test because what is unavailable (err says why),
// or fails it when servers are required.
func SkipOrFail(t testing.TB, what string, err error) {
	t.Helper()
	if RequireServers() {
		t.Fatalf("%s is required (TEST_REQUIRE_SERVERS=1) but unavailable: %v", what, err)
	}
	t.Skipf("%s unavailable: %v", what, err)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for
// a test peer that must be told its address before it starts.
func FreePort() (int, error) {
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
