package engagement

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// mqttBroker is the machine's Mosquitto (TEST_MQTT_URL overrides); absent,
// the test is skipped, or fails under TEST_REQUIRE_SERVERS=1.
func mqttBroker(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_MQTT_URL")
	if u == "" {
		u = "mqtt://127.0.0.1:1883"
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "mqtt://"), 2*time.Second)
	if err != nil {
		if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
			t.Fatalf("MQTT broker required but unreachable: %v", err)
		}
		t.Skipf("MQTT broker unreachable: %v", err)
	}
	_ = conn.Close()
	return u
}

// fakeIdentity exchanges api tokens "alx_<scope>_<user id>" for access
// tokens of that user with that one scope, as identity's POST /v1/auth/token.
func fakeIdentity(t *testing.T, h *moduletest.Harness) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			APIToken string `json:"api_token"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		parts := strings.SplitN(body.APIToken, "_", 3)
		if r.URL.Path != "/v1/auth/token" || len(parts) != 3 || parts[0] != "alx" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": h.Issuer.TokenWithScopes(parts[2], []string{parts[1]}, "reader"),
			"token_type": "Bearer"})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMQTTProgress(t *testing.T) {
	t.Parallel()
	broker := mqttBroker(t)
	s := moduletest.Stores(t)[0]
	h := moduletest.NewHarness(t, s)
	h.Deps.IdentityURL = fakeIdentity(t, h).URL
	cfg := DefaultConfig()
	cfg.ViewFlushInterval = 20 * time.Millisecond
	cfg.MQTTURL, cfg.MQTTClientID = broker, "t-engagement-"+uuid.NewString()[:8]
	svc, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	c := &api{t: t, h: h, svc: svc, tokens: map[string]string{}}
	alice, bob := c.user(), c.user()
	mid := c.publishedVideo(1000)

	dev := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(strings.Replace(broker, "mqtt://", "tcp://", 1)).
		SetClientID("t-device-" + uuid.NewString()[:8]))
	if tok := dev.Connect(); tok.Wait() && tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	t.Cleanup(func() { dev.Disconnect(100) })
	// The subscription is made once connected; wait for it by publishing
	// until a first good message lands.
	send := func(user string, msg map[string]any) {
		b, _ := json.Marshal(msg)
		if tok := dev.Publish(ProgressTopic(user), 1, false, b); tok.Wait() && tok.Error() != nil {
			t.Fatal(tok.Error())
		}
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	good := func(seconds float64, clientTime time.Time) map[string]any {
		return map[string]any{"media_id": mid, "seconds": seconds, "device": "car", "client_time": clientTime.Format(time.RFC3339Nano),
			"api_token": "alx_" + auth.ScopeProgressWrite + "_" + alice}
	}
	progress := func(user string) []map[string]any {
		return c.expect(200, "GET", "/v1/users/me/progress", user, nil).items()
	}
	eventually(t, "the device's progress", func() bool {
		send(alice, good(120, at))
		p := progress(alice)
		return len(p) == 1 && p[0]["seconds"] == float64(120) && p[0]["device"] == "car"
	})
	applied := testutil.ToFloat64(svc.metrics.mqtt.WithLabelValues(string(mqttApplied)))

	// Forged and misdirected messages are dropped and counted.
	bad := good(500, at.Add(time.Minute))
	bad["api_token"] = "not-a-token"
	send(alice, bad)
	missing := good(500, at.Add(time.Minute))
	delete(missing, "api_token")
	send(alice, missing)
	readOnly := good(500, at.Add(time.Minute))
	readOnly["api_token"] = "alx_" + auth.ScopeRead + "_" + alice
	send(alice, readOnly)
	send(bob, good(500, at.Add(time.Minute))) // alice's token on bob's topic
	// A replay of the first message changes nothing.
	send(alice, good(120, at))
	eventually(t, "dropped messages counted", func() bool {
		return testutil.ToFloat64(svc.metrics.mqtt.WithLabelValues(string(mqttBadToken))) == 3 &&
			testutil.ToFloat64(svc.metrics.mqtt.WithLabelValues(string(mqttWrongUser))) == 1 &&
			testutil.ToFloat64(svc.metrics.mqtt.WithLabelValues(string(mqttStale))) >= 1
	})
	if p := progress(alice); len(p) != 1 || p[0]["seconds"] != float64(120) {
		t.Fatalf("alice's progress changed: %v", p)
	}
	if p := progress(bob); len(p) != 0 {
		t.Fatalf("bob got progress: %v", p)
	}
	if got := testutil.ToFloat64(svc.metrics.mqtt.WithLabelValues(string(mqttApplied))); got != applied {
		t.Fatalf("applied moved from %v to %v", applied, got)
	}
	// The counts are on the service's registry, which /metrics serves.
	families, err := h.Deps.Metrics.(*prometheus.Registry).Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		found = found || f.GetName() == "alexandria_engagement_mqtt_messages_total"
	}
	if !found {
		t.Fatal("alexandria_engagement_mqtt_messages_total is not registered")
	}
}

// TestMQTTBrokerDownStopsPromptly: a broker that never answers leaves the
// runner retrying, and stopping the service ends it at once.
func TestMQTTBrokerDownStopsPromptly(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	h := moduletest.NewHarness(t, moduletest.Stores(t)[0])
	cfg := DefaultConfig()
	cfg.MQTTURL = "mqtt://" + addr
	svc, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := svc.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("close took %s", took)
	}
}
