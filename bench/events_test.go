package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/app/backends"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// transports lists the buses to measure; servers that do not answer are
// skipped. Kafka runs in-process (kfake), the rest are the machine's.
func transports(b *testing.B) map[string]string {
	if err := backends.Register(); err != nil {
		b.Fatal(err)
	}
	out := map[string]string{
		"embedded": "",
		"nats":     "nats://127.0.0.1:4222",
		"redis":    "redis://127.0.0.1:6379/0",
		"amqp":     "amqp://guest:guest@127.0.0.1:5672/",
		"postgres": postgresURL(),
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err == nil {
		b.Cleanup(cluster.Close)
		out["kafka"] = "kafka://" + strings.Join(cluster.ListenAddrs(), ",") + "?partitions=4"
	}
	return out
}

func postgresURL() string {
	if u := os.Getenv("TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var thingsMigration = fstest.MapFS{"00001_things.sql": {Data: []byte(
	"-- +goose Up\nCREATE TABLE things (id TEXT PRIMARY KEY, n INTEGER NOT NULL);\n")}}

func openStore(b *testing.B, name string) *db.DB {
	b.Helper()
	d, err := db.Open(context.Background(), db.Config{}, db.Options{Service: name, DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background(), thingsMigration); err != nil {
		b.Fatal(err)
	}
	return d
}

func suffix() string {
	var x [4]byte
	_, _ = rand.Read(x[:])
	return hex.EncodeToString(x[:])
}

// BenchmarkEventPipeline measures, per transport, events committed through
// the outbox and handled by a consumer in another store (throughput and
// commit-to-effect latency), next to the raw publish rate of the same
// transport measured in the same run.
func BenchmarkEventPipeline(b *testing.B) {
	for name, url := range transports(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			dataDir := b.TempDir()
			tr, err := bus.Open(ctx, url, bus.Options{DataDir: dataDir})
			if err != nil {
				b.Skipf("%s unavailable: %v", name, err)
			}
			b.Cleanup(func() { _ = tr.Close() })
			service := "bench_" + suffix()

			// Raw publish rate: the transport alone, no store.
			raw := rawPublishRate(b, tr, bus.Topic(service)+"_raw", 500)

			producerDB, consumerDB := openStore(b, "producer"), openStore(b, "consumer")
			cfg := events.DefaultConfig()
			producer, err := events.New(ctx, events.Setup{Service: service, DB: producerDB, Bus: tr, Config: cfg})
			if err != nil {
				b.Fatal(err)
			}
			consumer, err := events.New(ctx, events.Setup{Service: service + "_c", DB: consumerDB, Bus: tr, Config: cfg})
			if err != nil {
				b.Fatal(err)
			}
			var mu sync.Mutex
			var lat []time.Duration
			done := make(chan struct{}, 1)
			want := 0
			consumer.Handle(producer.Topic(), "bench.thing.created.v1", func(ctx context.Context, tx bun.Tx, e bus.Event) error {
				if _, err := tx.NewRaw("INSERT INTO things (id, n) VALUES (?, 1)", e.ID).Exec(ctx); err != nil {
					return err
				}
				mu.Lock()
				lat = append(lat, time.Since(e.Time))
				if len(lat) == want {
					done <- struct{}{}
				}
				mu.Unlock()
				return nil
			})
			if err := producer.Start(); err != nil {
				b.Fatal(err)
			}
			if err := consumer.Start(); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = consumer.Close(ctx); _ = producer.Close(ctx) })
			// Warm up: the consumer group exists before the measured run.
			want = 1
			commit(ctx, b, producerDB, producer, 0)
			waitDone(b, done)

			mu.Lock()
			lat, want = nil, b.N
			mu.Unlock()
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				commit(ctx, b, producerDB, producer, i+1)
			}
			waitDone(b, done)
			elapsed := time.Since(start)
			b.StopTimer()

			flood := slices.Clone(lat)

			// Latency without a queue: one event at a time.
			var single []time.Duration
			for i := range 50 {
				mu.Lock()
				lat, want = nil, 1
				mu.Unlock()
				commit(ctx, b, producerDB, producer, b.N+i+1)
				waitDone(b, done)
				single = append(single, lat[0])
			}

			rate := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(rate, "events/s")
			b.ReportMetric(percentile(flood, 99), "flood_p99_ms")
			b.ReportMetric(percentile(single, 50), "single_p50_ms")
			b.ReportMetric(percentile(single, 99), "single_p99_ms")
			b.ReportMetric(raw, "raw_publish/s")
			b.ReportMetric(rate/raw, "x_raw_publish")
		})
	}
}

// percentile returns the p-th percentile of ds in milliseconds.
func percentile(ds []time.Duration, p int) float64 {
	slices.Sort(ds)
	return float64(ds[min(len(ds)-1, len(ds)*p/100)].Microseconds()) / 1000
}

func commit(ctx context.Context, b *testing.B, d *db.DB, p *events.Pipeline, n int) {
	err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		id := fmt.Sprintf("thing-%d-%s", n, suffix())
		if _, err := tx.NewRaw("INSERT INTO things (id, n) VALUES (?, ?)", id, n).Exec(ctx); err != nil {
			return err
		}
		return p.Record(ctx, tx, "bench.thing.created.v1", "thing/"+id, id, map[string]any{"id": id, "n": n})
	})
	if err != nil {
		b.Fatal(err)
	}
}

func waitDone(b *testing.B, done <-chan struct{}) {
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatal("consumer did not receive every event within 2 minutes")
	}
}

// rawPublishRate publishes n messages one by one, as the relay would without
// batching, and returns messages per second.
func rawPublishRate(b *testing.B, tr bus.Transport, topic string, n int) float64 {
	b.Helper()
	start := time.Now()
	for i := range n {
		e := bus.Event{ID: fmt.Sprintf("raw-%d-%s", i, suffix()), Type: "bench.raw.v1", Time: time.Now(), Data: []byte(`{"n":1}`)}
		if err := tr.Publisher().Publish(topic, []*message.Message{e.Message()}...); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkOutboxWriteCost alternates the same write with and without its
// event recorded in the outbox, on SQLite and PostgreSQL, and reports what
// the event adds. Each write is its own transaction; both build their row
// the same way, so the difference is the event (payload and envelope
// encoding and the outbox insert). The writes run in rounds of 200 pairs;
// the ratio reported is the median of the rounds' ratios, which a burst of
// other work on a shared machine moves less than a total.
func BenchmarkOutboxWriteCost(b *testing.B) {
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			ctx := context.Background()
			d := moduletest.OpenDB(b, s, "writes", thingsMigration)
			p, err := events.New(ctx, events.Setup{Service: "bench_" + suffix(), DB: d, Bus: bus.NewMemory(nil), Config: events.DefaultConfig()})
			if err != nil {
				b.Fatal(err)
			}
			const round = 200
			var with, without, roundWith, roundWithout time.Duration
			var ratios []float64
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					id := fmt.Sprintf("plain-%d-%s", i, suffix())
					_, err := tx.NewRaw("INSERT INTO things (id, n) VALUES (?, ?)", id, i).Exec(ctx)
					return err
				})
				t1 := time.Now()
				if err == nil {
					commit(ctx, b, d, p, i)
				}
				t2 := time.Now()
				if err != nil {
					b.Fatal(err)
				}
				roundWithout += t1.Sub(t0)
				roundWith += t2.Sub(t1)
				if (i+1)%round == 0 {
					ratios = append(ratios, float64(roundWith)/float64(roundWithout))
					with, without = with+roundWith, without+roundWithout
					roundWith, roundWithout = 0, 0
				}
			}
			with, without = with+roundWith, without+roundWithout
			b.ReportMetric(float64(without.Nanoseconds())/float64(b.N), "plain_ns/write")
			b.ReportMetric(float64(with.Nanoseconds())/float64(b.N), "with_event_ns/write")
			b.ReportMetric(float64(with)/float64(without), "x_plain")
			if len(ratios) > 0 {
				slices.Sort(ratios)
				b.ReportMetric(ratios[len(ratios)/2], "x_plain_median_round")
			}
		})
	}
}
