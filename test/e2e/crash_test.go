package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// TestCrashLosesNothingAndDuplicatesNothing writes media through the API
// while the server is killed with SIGKILL at random moments and restarted,
// then checks that every committed change produced exactly one effect in a
// downstream consumer: nothing lost between the write and the outbox, the
// outbox and the broker, or the broker and the consumer's transaction; and
// no duplicate effect from the redeliveries a crash causes.
func TestCrashLosesNothingAndDuplicatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	t.Parallel()
	for _, transport := range []string{"embedded", "nats", "kafka"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			dataDir := filepath.Join(t.TempDir(), "data")
			crashScenario(t, dataDir, busURLFor(t, transport))
		})
	}
}

// busURLFor starts a private broker for the transport and returns its URL.
func busURLFor(t *testing.T, transport string) string {
	t.Helper()
	switch transport {
	case "nats":
		return startNATS(t).url
	case "kafka":
		cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cluster.Close)
		return "kafka://" + strings.Join(cluster.ListenAddrs(), ",") + "?partitions=4"
	}
	return ""
}

func crashScenario(t *testing.T, dataDir, busURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	env := []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir, "ALEXANDRIA_BUS_URL=" + busURL,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_LEVEL=warn",
	}
	p := start(t, env)
	admin := signIn(ctx, t, client.New(p.URL, nil), adminEmail, adminPassword)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Crash Test Dummies"})
	must(t, err)
	probe := startProbe(ctx, t, dataDir, busURL)

	var mu sync.Mutex
	acked := map[string]bool{}
	const rounds = 5
	for round := range rounds {
		// Writers run until the server dies under them.
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := admin.WithBase(p.URL)
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					m, err := c.CreateMedia(ctx, client.MediaInput{Title: fmt.Sprintf("r%d w%d #%d", round, w, i),
						Kind: "book", Language: "en", AuthorIDs: []string{author.ID}})
					if err != nil {
						if StatusOf(err) == 0 {
							return // connection refused or reset: the server is gone
						}
						t.Errorf("write refused: %v", err)
						return
					}
					mu.Lock()
					acked[m.ID] = true
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(150+rand.IntN(600)) * time.Millisecond)
		p.kill()
		close(stop)
		wg.Wait()
		p = start(t, env)
	}
	if len(acked) < 20 {
		t.Fatalf("only %d writes acknowledged; the test exercised too little", len(acked))
	}

	// Every acknowledged write is stored, and every stored item has exactly
	// one effect downstream (items whose answer was lost in a crash count
	// too: they committed, so their event must arrive).
	stored := map[string]bool{}
	f := client.MediaFilter{AuthorID: author.ID, ListOptions: client.ListOptions{PageSize: 100}}
	for _, m := range collect(ctx, t, admin.WithBase(p.URL), f) {
		stored[m.ID] = true
	}
	for id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged write %s is not stored", id)
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		effects := probe.effects(ctx, t)
		missing, dup := 0, 0
		for id := range stored {
			switch effects[id] {
			case 0:
				missing++
			case 1:
			default:
				dup++
			}
		}
		for id := range effects {
			if !stored[id] {
				t.Fatalf("effect for %s, which was never committed", id)
			}
		}
		if dup > 0 {
			t.Fatalf("%d stored changes had more than one effect", dup)
		}
		if missing == 0 {
			t.Logf("%d writes acknowledged, %d stored, %d effects, %d crashes", len(acked), len(stored), len(effects), rounds)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d stored changes never produced an effect", missing, len(stored))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// StatusOf is the HTTP status of a client error (0: no answer at all).
func StatusOf(err error) int { return client.StatusOf(err) }

// probe is a downstream consumer in the test process: it records one row
// per catalog.media.created event it handles, through the same pipeline
// (inbox, retries) every Alexandria consumer uses.
type probe struct{ db *db.DB }

var probeMigrations = fstest.MapFS{"00001_effects.sql": {Data: []byte(
	"-- +goose Up\nCREATE TABLE effects (media_id TEXT NOT NULL, event_id TEXT NOT NULL);\n")}}

func startProbe(ctx context.Context, t *testing.T, dataDir, busURL string) *probe {
	t.Helper()
	store, err := db.Open(ctx, db.Config{}, db.Options{Service: "probe", DataDir: t.TempDir()})
	must(t, err)
	t.Cleanup(func() { _ = store.Close() })
	_, err = store.Migrate(ctx, probeMigrations)
	must(t, err)
	tr, err := bus.Open(ctx, busURL, bus.Options{DataDir: dataDir})
	must(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	pipe, err := events.New(ctx, events.Setup{Service: "probe", DB: store, Bus: tr, Config: events.DefaultConfig()})
	must(t, err)
	pipe.Handle(bus.Topic("catalog"), "catalog.media.created.v1", func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		_, err := tx.NewRaw("INSERT INTO effects (media_id, event_id) VALUES (?, ?)", e.Key, e.ID).Exec(ctx)
		return err
	})
	must(t, pipe.Start())
	t.Cleanup(func() { _ = pipe.Close(context.Background()) })
	return &probe{db: store}
}

func (p *probe) effects(ctx context.Context, t *testing.T) map[string]int {
	t.Helper()
	var rows []struct {
		MediaID string `bun:"media_id"`
	}
	must(t, p.db.NewRaw("SELECT media_id FROM effects").Scan(ctx, &rows))
	out := map[string]int{}
	for _, r := range rows {
		out[r.MediaID]++
	}
	return out
}

// natsServer is a private NATS JetStream server the test can stop.
type natsServer struct {
	t       *testing.T
	url     string
	args    []string
	cmd     *exec.Cmd
	stopped bool
}

func startNATS(t *testing.T) *natsServer {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		bin = "/usr/sbin/nats-server"
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
			t.Fatalf("nats-server required: %v", err)
		}
		t.Skipf("nats-server not installed: %v", err)
	}
	port := freeTCPPort(t)
	n := &natsServer{t: t, url: fmt.Sprintf("nats://127.0.0.1:%d", port),
		args: []string{"-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", t.TempDir()}}
	n.cmd = exec.Command(bin, n.args...)
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *natsServer) start() {
	n.t.Helper()
	n.cmd = exec.Command(n.cmd.Path, n.args...)
	must(n.t, n.cmd.Start())
	n.stopped = false
	addr := strings.TrimPrefix(n.url, "nats://")
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return
		}
	}
	n.t.Fatalf("nats-server did not listen on %s", addr)
}

func (n *natsServer) stop() {
	if n.stopped {
		return
	}
	n.stopped = true
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
