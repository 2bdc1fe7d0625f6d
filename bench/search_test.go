package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/search"
)

// BenchmarkSearch loads a deterministic catalogue (Zipf-distributed
// vocabulary, authors and tags; SEARCH_BENCH_ITEMS items, 10,000 by
// default, of which SEARCH_BENCH_TEXT carry 50 pages of text) into the
// search target on SQLite and on PostgreSQL, then measures each query
// shape through the HTTP API, interleaved with the bare full-text query
// (search.Store.Baseline) on the same database, and reports p50/p95 and
// their ratios to the baseline's. It also reports index throughput against
// plain inserts of the same rows, and publish → searchable latency.
//
//	go test ./bench -run '^$' -bench BenchmarkSearch -benchtime 200x
func BenchmarkSearch(b *testing.B) {
	items := envInt("SEARCH_BENCH_ITEMS", 10000)
	texts := envInt("SEARCH_BENCH_TEXT", 100)
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			env := newSearchEnv(b, s, items, texts)
			for _, shape := range env.shapes() {
				b.Run(shape.name, func(b *testing.B) {
					var base, api []time.Duration
					ctx := context.Background()
					for range b.N {
						t0 := time.Now()
						if _, err := env.store.Baseline(ctx, env.common, env.langs, 20); err != nil {
							b.Fatal(err)
						}
						base = append(base, time.Since(t0))
						t0 = time.Now()
						env.get(b, shape.path)
						api = append(api, time.Since(t0))
					}
					p50, p95 := percentile(api, 50), percentile(api, 95)
					b50, b95 := percentile(base, 50), percentile(base, 95)
					b.ReportMetric(p50, "p50_ms")
					b.ReportMetric(p95, "p95_ms")
					b.ReportMetric(p50/b50, "x_bare_p50")
					b.ReportMetric(p95/b95, "x_bare_p95")
				})
			}
			b.Run("publish_to_searchable", func(b *testing.B) { env.publishToSearchable(b) })
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

type searchEnv struct {
	h      *moduletest.Harness
	store  *search.Store
	gen    *catalogGen
	common string   // a frequent word, the baseline's query
	langs  []string // the indexed languages (the API stems for each)
	textID string   // an item with text
	deep   string   // the page token of page 100 of a browse
}

type shape struct{ name, path string }

func (e *searchEnv) shapes() []shape {
	g := e.gen
	title := g.titles[7]
	w := strings.Fields(strings.ToLower(title))
	long := g.wordOfLength(8)
	typo := long[:3] + string(long[4]) + string(long[3]) + long[5:] // two letters swapped
	return []shape{
		{"one_word", "/v1/search?q=" + url.QueryEscape(e.common)},
		{"rare_word", "/v1/search?q=" + url.QueryEscape(g.word(3000))},
		{"phrase", "/v1/search?q=" + url.QueryEscape(`"`+w[0]+" "+w[1]+`"`)},
		{"misspelling", "/v1/search?q=" + url.QueryEscape(typo)},
		{"prefix", "/v1/search?q=" + url.QueryEscape(long[:4]+"*")},
		{"filter_browse", "/v1/search?kind=book&language=fr"},
		{"facets_two_words_filtered", "/v1/search?q=" + url.QueryEscape(e.common+" OR "+g.word(20)) + "&tag=" + g.tags[0]},
		{"browse_page_1", "/v1/search?sort=newest"},
		{"browse_page_100", "/v1/search?sort=newest&page_token=" + url.QueryEscape(e.deep)},
		{"search_inside", "/v1/media/" + e.textID + "/search?q=" + url.QueryEscape(g.word(10))},
		{"suggest", "/v1/search/suggest?q=" + url.QueryEscape(long[:3])},
	}
}

func newSearchEnv(b *testing.B, s moduletest.Store, items, texts int) *searchEnv {
	b.Helper()
	ctx := context.Background()
	h := moduletest.NewHarness(b, s)
	svc, err := search.New(ctx, search.DefaultConfig(), h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)
	_, st, err := search.OpenStore(ctx, h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	g := newCatalogGen(42)
	authors := g.authors(2000)
	e := &searchEnv{h: h, store: st, gen: g, common: g.word(30)}

	// Index throughput against plain inserts of the same rows. Items are
	// made and loaded 500 at a time (memory stays bounded at 1,000,000),
	// through the store's bulk indexing path (search.Loader: into the
	// empty index, rows first and indexes built once at the end), not
	// through events.
	const chunk = 500
	pages := 0
	t0 := time.Now()
	ld, err := st.NewLoader(ctx)
	if err != nil {
		b.Fatal(err)
	}
	next := g.itemStream(items, texts, authors)
	for n := 0; ; n++ {
		batch := next(chunk)
		if len(batch) == 0 {
			break
		}
		if e.textID == "" {
			e.textID = batch[0].ID
		}
		for _, it := range batch {
			pages += len(it.Pages)
		}
		if err := ld.Load(ctx, authors, batch); err != nil {
			b.Fatal(err)
		}
		authors = nil
		if (n+1)%40 == 0 {
			fmt.Fprintf(os.Stderr, "%s: %d items loaded after %s\n", s.Name, (n+1)*chunk, time.Since(t0).Round(time.Second))
		}
	}
	rows := time.Since(t0)
	if err := ld.Close(ctx); err != nil {
		b.Fatal(err)
	}
	indexed := time.Since(t0)
	b.Logf("%s: rows written in %s, indexes built in %s", s.Name, rows.Round(time.Millisecond), (indexed - rows).Round(time.Millisecond))
	if e.langs, err = st.Languages(ctx); err != nil {
		b.Fatal(err)
	}
	// The same rows again (same seed) into a plain table.
	rg := newCatalogGen(42)
	raw := rawInsert(b, s, rg.itemStream(items, texts, rg.authors(2000)), chunk)
	b.Logf("%s: %d items (%d with %d pages of text) indexed in %s (%.0f items/s); plain inserts of the same rows %s: %.1fx",
		s.Name, items, min(texts, items), pages, indexed.Round(time.Millisecond), float64(items)/indexed.Seconds(),
		raw.Round(time.Millisecond), indexed.Seconds()/raw.Seconds())
	b.ReportMetric(float64(items)/indexed.Seconds(), "items/s")

	// The token of page 100 of the newest-first browse.
	token := ""
	for range 99 {
		var page struct {
			Next string `json:"next_page_token"`
		}
		body := e.get(b, "/v1/search?sort=newest&page_token="+url.QueryEscape(token))
		if err := json.Unmarshal(body, &page); err != nil || page.Next == "" {
			b.Fatalf("browse: %v %s", err, body)
		}
		token = page.Next
	}
	e.deep = token
	return e
}

// rawInsert is the ceiling: the same rows' columns into a plain table, no
// index, in transactions of the same size.
func rawInsert(b *testing.B, s moduletest.Store, next func(int) []search.LoadItem, chunk int) time.Duration {
	d := moduletest.OpenDB(b, s, "searchraw", fstest.MapFS{"00001_raw.sql": {Data: []byte(
		"-- +goose Up\nCREATE TABLE raw (id TEXT PRIMARY KEY, title TEXT, description TEXT, tags TEXT, body TEXT);\n")}})
	ctx := context.Background()
	var spent time.Duration
	for batch := next(chunk); len(batch) > 0; batch = next(chunk) {
		t0 := time.Now() // generating the rows is not counted
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range batch {
			if _, err := tx.NewRaw("INSERT INTO raw (id, title, description, tags, body) VALUES (?, ?, ?, ?, ?)",
				it.ID, it.Title, it.Description, strings.Join(it.Tags, " "), strings.Join(it.Pages, "\f")).Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
	}
	return spent
}

func (e *searchEnv) get(b *testing.B, path string) []byte {
	resp, err := http.Get(e.h.Server.URL + path)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var buf strings.Builder
	if _, err := fmt.Fprint(&buf, ""); err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 0, 64<<10)
	chunk := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(chunk)
		body = append(body, chunk[:n]...)
		if err != nil {
			break
		}
	}
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body
}

// publishToSearchable publishes items as catalog would (an event on the
// bus) and waits until a search finds each; it reports the p50 and p99.
func (e *searchEnv) publishToSearchable(b *testing.B) {
	var ds []time.Duration
	for i := range max(b.N, 20) {
		id := uuid.Must(uuid.NewV7()).String()
		word := fmt.Sprintf("zqxpub%dword", i)
		data, _ := json.Marshal(map[string]any{"id": id, "title": "Published " + word, "description": "", "kind": "book",
			"language": "en", "author_ids": []string{}, "category_ids": []string{}, "tags": []string{}, "license": "",
			"published_at": time.Now().UTC(), "status": "published", "created_at": time.Now().UTC(),
			"updated_at": time.Now().UTC(), "version": 1})
		t0 := time.Now()
		ev := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "catalog.media.published.v1", Source: "/alexandria/catalog",
			Subject: "media/" + id, Key: id, Time: t0.UTC(), Data: data}
		if err := e.h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), ev.Message()); err != nil {
			b.Fatal(err)
		}
		for !strings.Contains(string(e.get(b, "/v1/search?q="+word)), id) {
			if time.Since(t0) > 10*time.Second {
				b.Fatal("never searchable")
			}
			time.Sleep(2 * time.Millisecond)
		}
		ds = append(ds, time.Since(t0))
	}
	b.ReportMetric(percentile(ds, 50), "p50_ms")
	b.ReportMetric(percentile(ds, 99), "p99_ms")
}

// catalogGen makes a deterministic catalogue: words from syllables, their
// frequencies Zipf-distributed (s = 1.1), as are authors' and tags' use.
type catalogGen struct {
	r      *rand.Rand
	vocab  []string
	zipf   *rand.Zipf
	tags   []string
	titles []string
}

func newCatalogGen(seed uint64) *catalogGen {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	syll := []string{"ka", "lo", "mer", "ti", "van", "so", "ri", "del", "pa", "nu", "ex", "stra", "bo", "qui", "len", "dor",
		"a", "i", "mon", "tel", "ga", "fi", "ro", "sen"}
	g := &catalogGen{r: r}
	seen := map[string]bool{}
	for len(g.vocab) < 20000 {
		n := 2 + r.IntN(3)
		var w strings.Builder
		for range n {
			w.WriteString(syll[r.IntN(len(syll))])
		}
		if !seen[w.String()] && w.Len() >= 3 {
			seen[w.String()] = true
			g.vocab = append(g.vocab, w.String())
		}
	}
	g.zipf = rand.NewZipf(r, 1.1, 1, uint64(len(g.vocab)-1))
	for i := range 300 {
		g.tags = append(g.tags, "tag"+g.vocab[i*7])
	}
	return g
}

func (g *catalogGen) word(rank int) string { return g.vocab[rank] }

func (g *catalogGen) wordOfLength(n int) string {
	for i := 50; i < len(g.vocab); i++ {
		if len(g.vocab[i]) == n {
			return g.vocab[i]
		}
	}
	return g.vocab[50] + "xxxxxxxx"[:max(0, n-len(g.vocab[50]))]
}

func (g *catalogGen) words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.vocab[g.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

func (g *catalogGen) authors(n int) []search.LoadAuthor {
	out := make([]search.LoadAuthor, n)
	for i := range out {
		first, last := g.vocab[100+g.r.IntN(2000)], g.vocab[100+g.r.IntN(5000)]
		out[i] = search.LoadAuthor{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint("author", i))).String(),
			Name: strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:]}
	}
	return out
}

// itemStream returns a function giving the next (at most) k items of a
// catalogue of n, the first texts of them with 50 pages of text; nil once
// all were given. The same seed gives the same items.
func (g *catalogGen) itemStream(n, texts int, authors []search.LoadAuthor) func(k int) []search.LoadItem {
	kinds := []string{"book", "book", "document", "document", "podcast", "video"}
	langs := []string{"en", "en", "en", "fr", "de", "es"}
	licenses := []string{"", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"}
	authorZipf := rand.NewZipf(g.r, 1.2, 1, uint64(len(authors)-1))
	tagZipf := rand.NewZipf(g.r, 1.2, 1, uint64(len(g.tags)-1))
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	return func(k int) []search.LoadItem {
		var out []search.LoadItem
		for ; i < n && len(out) < k; i++ {
			title := g.words(3 + g.r.IntN(4))
			it := search.LoadItem{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint("item", i))).String(),
				Title: strings.ToUpper(title[:1]) + title[1:], Description: g.words(20 + g.r.IntN(20)),
				Kind: kinds[g.r.IntN(len(kinds))], Language: langs[g.r.IntN(len(langs))], License: licenses[g.r.IntN(len(licenses))],
				AuthorIDs:   []string{authors[authorZipf.Uint64()].ID},
				PublishedAt: start.Add(time.Duration(i) * time.Minute)}
			for range 1 + g.r.IntN(3) {
				t := g.tags[tagZipf.Uint64()]
				if !strings.Contains(strings.Join(it.Tags, " "), t) {
					it.Tags = append(it.Tags, t)
				}
			}
			if i < texts {
				pages := 50
				it.PageCount = &pages
				it.Kind = "document"
				for range pages {
					it.Pages = append(it.Pages, g.words(150))
				}
			}
			out = append(out, it)
			if i < 10 {
				g.titles = append(g.titles, it.Title)
			}
		}
		return out
	}
}
