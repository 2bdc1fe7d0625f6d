package feeds

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// fakeAnalytics answers GET /v1/popular with a ranking the test sets, or
// 503 while down.
type fakeAnalytics struct {
	srv     *httptest.Server
	ranking atomic.Pointer[[]string]
	down    atomic.Bool
	// slow holds answers until the caller gives up.
	slow  atomic.Bool
	calls atomic.Int32
	query atomic.Pointer[string]
}

func newFakeAnalytics(t *testing.T) *fakeAnalytics {
	f := &fakeAnalytics{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		q := r.URL.RawQuery
		f.query.Store(&q)
		if f.slow.Load() {
			<-r.Context().Done()
			return
		}
		if r.URL.Path != "/v1/popular" || f.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var items []map[string]any
		if ids := f.ranking.Load(); ids != nil {
			for _, id := range *ids {
				items = append(items, map[string]any{"media_id": id, "kind": "book", "y": 1.0})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"window": "week", "items": items})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAnalytics) rank(ids ...string) { f.ranking.Store(&ids) }

func TestOPDSPopularRanksByAnalytics(t *testing.T) {
	an := newFakeAnalytics(t)
	x := newHarness(t, moduletest.Stores(t)[0], func(c *Config) { c.AnalyticsURL = an.srv.URL })
	w := seedOPDS(x)
	gone := newID()
	x.apply(eventMediaPublished, mediaPayload(gone, "book", "Removed later", w.author, 1))
	x.apply(eventMediaRemoved, mediaPayload(gone, "book", "Removed later", w.author, 2, withStatus("removed")))
	feed := opds2Schema(t, "feed.schema.json")

	// Analytics' order is kept; the podcast, the removed book and an ID
	// feeds never saw are left out.
	an.rank(w.book1, w.podcast, gone, newID(), w.doc, w.book2)
	_, body := x.mustGet("/opds/v2/popular")
	page := validate(t, feed, "popular", body)
	want := []string{"The Dispossessed", "Notes on Craft", "The Lathe of Heaven"}
	if got := titles(page["publications"].([]any)); !slices.Equal(got, want) {
		t.Fatalf("popular %v, want %v", got, want)
	}
	if link(page["links"], "next") != "" {
		t.Fatal("a ranked page has no next page")
	}
	if q := *an.query.Load(); q != "limit=100&window=week" {
		t.Fatalf("analytics asked with %q", q)
	}
	// OPDS 1.2 lists the same order; the kind facet is passed on.
	_, atom := x.mustGet("/opds/v1.2/popular?kind=document")
	if q := *an.query.Load(); q != "kind=document&limit=100&window=week" {
		t.Fatalf("analytics asked with %q", q)
	}
	if !containsAll(atom, "Notes on Craft") || containsAll(atom, "The Dispossessed") {
		t.Fatalf("document facet of popular:\n%s", atom)
	}

	// Served from the cache within its lifetime: analytics is not asked again.
	calls := an.calls.Load()
	x.mustGet("/opds/v2/popular")
	if an.calls.Load() != calls {
		t.Fatal("a cached popular page asked analytics again")
	}
	// Once expired, the page is built anew.
	expireCache(x)
	an.rank(w.book2)
	_, body = x.mustGet("/opds/v2/popular")
	if got := titles(validate(t, feed, "popular", body)["publications"].([]any)); !slices.Equal(got, []string{"The Lathe of Heaven"}) {
		t.Fatalf("popular after expiry %v", got)
	}

	// Analytics down (503): the newest list, as /new.
	expireCache(x)
	an.down.Store(true)
	fellBack := testutil.ToFloat64(x.s.app.metrics.popular.WithLabelValues("newest"))
	_, body = x.mustGet("/opds/v2/popular")
	newest := []string{"Notes on Craft", "The Lathe of Heaven", "The Dispossessed"}
	if got := titles(validate(t, feed, "popular", body)["publications"].([]any)); !slices.Equal(got, newest) {
		t.Fatalf("popular with analytics down %v, want %v", got, newest)
	}
	if got := testutil.ToFloat64(x.s.app.metrics.popular.WithLabelValues("newest")); got != fellBack+1 {
		t.Fatalf("newest builds %v, want %v", got, fellBack+1)
	}
	// Analytics too slow: the newest list once the timeout passes.
	expireCache(x)
	an.down.Store(false)
	an.slow.Store(true)
	x.s.analyticsTimeout = 50 * time.Millisecond
	_, body = x.mustGet("/opds/v2/popular")
	if got := titles(validate(t, feed, "popular", body)["publications"].([]any)); !slices.Equal(got, newest) {
		t.Fatalf("popular with analytics too slow %v, want %v", got, newest)
	}
	an.slow.Store(false)
	// Analytics ranks nothing feeds lists: the newest list too.
	expireCache(x)
	an.down.Store(false)
	an.rank(w.podcast, gone)
	_, body = x.mustGet("/opds/v2/popular")
	if got := titles(validate(t, feed, "popular", body)["publications"].([]any)); !slices.Equal(got, newest) {
		t.Fatalf("popular with nothing ranked %v, want %v", got, newest)
	}
}

// expireCache makes every cached page with a lifetime stale.
func expireCache(x *harness) {
	c := x.s.app.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.entries {
		if !r.expires.IsZero() {
			r.expires = r.expires.Add(-2 * popularTTL)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
