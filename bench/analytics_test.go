package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/analytics"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// BenchmarkAnalytics measures the analytics target on SQLite and the
// embedded bus, each figure next to its baseline from the same run:
//   - trending_ev/s: view events the trending stream handles per second
//     (windows updated, lake staged), against raw_consume_ev/s, the rate a
//     subscriber of the same bus receives and acknowledges the same events
//     doing nothing;
//   - view_to_score_p99_ms: from publishing one view event to GET
//     /v1/popular showing the changed y;
//   - lake_rows/s: staged events written to Parquet by the lake (one file
//     per event type and hour, commit bookkeeping included), against
//     one_file_rows/s, the same rows written with one parquet.WriteFile.
func BenchmarkAnalytics(b *testing.B) {
	const n = 3000
	ctx := context.Background()
	h := moduletest.NewHarness(b, moduletest.Store{Name: "sqlite"})
	tr, err := bus.Open(ctx, "", bus.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tr.Close() })
	h.Deps.Bus = tr
	reg := prometheus.NewRegistry()
	h.Deps.Metrics = reg
	cfg := analytics.DefaultConfig()
	cfg.LakeFlushInterval = time.Hour // flushed by the measurement
	svc, err := analytics.New(ctx, cfg, h.Deps, analytics.Sources{"engagement": {"engagement.view.recorded.v1"},
		"catalog": {"catalog.media.published.v1"}})
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)

	media := uuid.NewString()
	publish := func(topic, typ string, data map[string]any) {
		raw, _ := json.Marshal(data)
		e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/" + topic, Subject: "media/" + media,
			Key: media, Time: time.Now().UTC(), Data: raw}
		if err := tr.Publisher().Publish(bus.Topic(topic), e.Message()); err != nil {
			b.Fatal(err)
		}
	}
	publish("catalog", "catalog.media.published.v1", map[string]any{"id": media, "kind": "video", "status": "published", "version": 2})
	handled := func() float64 {
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		total := 0.0
		for _, mf := range mfs {
			if mf.GetName() == "alexandria_analytics_events_total" {
				for _, m := range mf.GetMetric() {
					total += m.GetCounter().GetValue()
				}
			}
		}
		return total
	}
	waitFor := func(want float64) {
		deadline := time.Now().Add(5 * time.Minute)
		for handled() < want {
			if time.Now().After(deadline) {
				b.Fatalf("analytics handled %v of %v events", handled(), want)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	waitFor(1)

	// Raw consume rate: a subscriber that only acknowledges.
	rawTopic := bus.Topic("bench_raw_" + suffix())
	sub, err := tr.Subscriber("bench_raw")
	if err != nil {
		b.Fatal(err)
	}
	msgs, err := sub.Subscribe(ctx, rawTopic)
	if err != nil {
		b.Fatal(err)
	}
	var got atomic.Int64
	go func() {
		for m := range msgs {
			m.Ack()
			got.Add(1)
		}
	}()
	view := func() map[string]any { return map[string]any{"media_id": media, "views": 1, "unique_viewers": 1} }
	t0 := time.Now()
	for range n {
		raw, _ := json.Marshal(view())
		e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "engagement.view.recorded.v1", Source: "/alexandria/engagement",
			Time: time.Now(), Data: raw}
		if err := tr.Publisher().Publish(rawTopic, e.Message()); err != nil {
			b.Fatal(err)
		}
	}
	for got.Load() < n {
		time.Sleep(time.Millisecond)
	}
	rawRate := n / time.Since(t0).Seconds()
	_ = sub.Close()

	// The trending stream over the same number of events.
	base := handled()
	t0 = time.Now()
	for range n {
		publish("engagement", "engagement.view.recorded.v1", view())
	}
	waitFor(base + n)
	streamRate := n / time.Since(t0).Seconds()

	// View → changed score, one view at a time.
	y := func() float64 {
		resp, err := http.Get(h.Server.URL + "/v1/popular?window=hour")
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var out struct {
			Items []struct {
				Y float64 `json:"y"`
			} `json:"items"`
		}
		_ = json.Unmarshal(body, &out)
		if len(out.Items) == 0 {
			return 0
		}
		return out.Items[0].Y
	}
	var delays []time.Duration
	b.ResetTimer()
	for b.Loop() {
		before := y()
		start := time.Now()
		publish("engagement", "engagement.view.recorded.v1", view())
		for y() <= before {
			if time.Since(start) > time.Minute {
				b.Fatal("the score did not change")
			}
		}
		delays = append(delays, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(delays)
	p99 := delays[min(len(delays)-1, len(delays)*99/100)]

	// Lake: flush everything staged (one file per type and hour) against
	// the same rows in one Parquet file.
	admin := uuid.NewString()
	req, _ := http.NewRequest(http.MethodPost, h.Server.URL+"/v1/admin/analytics/lake/compact", nil)
	req.Header.Set("Authorization", "Bearer "+h.Issuer.Token(admin, "admin"))
	t0 = time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var flushed struct {
		Written int `json:"written"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&flushed)
	resp.Body.Close()
	lakeRate := float64(flushed.Written) / time.Since(t0).Seconds()
	rows := make([]analytics.LakeRow, flushed.Written)
	for i := range rows {
		raw, _ := json.Marshal(view())
		rows[i] = analytics.LakeRow{EventID: uuid.NewString(), EventType: "engagement.view.recorded.v1", Source: "/alexandria/engagement",
			Subject: "media/" + media, EventTime: time.Now().UnixMilli(), Data: string(raw)}
	}
	t0 = time.Now()
	if err := parquet.WriteFile(filepath.Join(b.TempDir(), "one.parquet"), rows); err != nil {
		b.Fatal(err)
	}
	oneRate := float64(len(rows)) / time.Since(t0).Seconds()

	b.ReportMetric(streamRate, "trending_ev/s")
	b.ReportMetric(rawRate, "raw_consume_ev/s")
	b.ReportMetric(streamRate/rawRate, "x_raw_consume")
	b.ReportMetric(float64(p99.Microseconds())/1000, "view_to_score_p99_ms")
	b.ReportMetric(lakeRate, "lake_rows/s")
	b.ReportMetric(oneRate, "one_file_rows/s")
	b.ReportMetric(lakeRate/oneRate, "x_one_file")
	b.Logf("events %d, lake rows %d, delay samples %d", n, flushed.Written, len(delays))
}
