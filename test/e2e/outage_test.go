package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// TestBrokerOutage stops NATS for 30 seconds while users keep writing: every
// write succeeds (the outbox holds the events), the backlog is visible in
// /metrics, and once NATS is back every event arrives exactly once.
func TestBrokerOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test: skipped with -short")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	nats := startNATS(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	env := []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir, "ALEXANDRIA_BUS_URL=" + nats.url,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_LEVEL=error",
	}
	p := start(t, env)
	admin := signIn(ctx, t, client.New(p.URL, nil), adminEmail, adminPassword)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Outage Test"})
	must(t, err)
	probe := startProbe(ctx, t, dataDir, nats.url)

	nats.stop()
	var created []string
	outageEnds := time.Now().Add(30 * time.Second)
	backlogSeen := 0.0
	for i := 0; time.Now().Before(outageEnds); i++ {
		m, err := admin.CreateMedia(ctx, client.MediaInput{Title: fmt.Sprintf("written during the outage %d", i),
			Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
		if err != nil {
			t.Fatalf("write %d failed while the broker is down: %v", i, err)
		}
		created = append(created, m.ID)
		if i%20 == 0 {
			backlogSeen = max(backlogSeen, outboxBacklog(t, p.OpsURL))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if backlogSeen == 0 {
		t.Error("/metrics never showed an outbox backlog during the outage")
	}
	nats.start()

	deadline := time.Now().Add(60 * time.Second)
	for {
		effects := probe.effects(ctx, t)
		missing := 0
		for _, id := range created {
			if effects[id] > 1 {
				t.Fatalf("media %s had %d effects", id, effects[id])
			}
			if effects[id] == 0 {
				missing++
			}
		}
		if missing == 0 {
			t.Logf("%d writes during a 30 s outage; peak backlog %v; all delivered once", len(created), backlogSeen)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events written during the outage never arrived", missing, len(created))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var backlogLine = regexp.MustCompile(`(?m)^alexandria_outbox_backlog\{service="catalog"\} (\S+)$`)

// outboxBacklog reads the catalog outbox backlog from the operations
// listener at opsURL.
func outboxBacklog(t *testing.T, opsURL string) float64 {
	t.Helper()
	m := backlogLine.FindStringSubmatch(do(t, "GET", opsURL+"/metrics", "", "").body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}
