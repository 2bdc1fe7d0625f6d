package search

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// app is search's application layer: the queries the handlers call and
// the index updates the consumers make.
type app struct {
	store *Store
	cfg   Config
	log   *slog.Logger
	m     *metrics
	// tokenKey signs page tokens.
	tokenKey []byte
	// wake nudges the text fetcher.
	wake chan struct{}
	now  func() time.Time
}

// ---- index updates (consumers) ----

// putMedia indexes the item as an event described it.
func (a *app) putMedia(ctx context.Context, st *Store, e mediaEvent, eventTime time.Time) error {
	rec, err := a.record(e)
	if err != nil {
		return err
	}
	needText, err := st.PutMedia(ctx, rec, eventTime)
	if err != nil {
		return err
	}
	a.m.indexLatency.WithLabelValues("metadata").Observe(a.now().Sub(eventTime).Seconds())
	if needText {
		if err := st.NeedText(ctx, rec.ID, rec.TextName, rec.TextObject, eventTime, a.now()); err != nil {
			return err
		}
		a.nudge()
	}
	return nil
}

// record is what the index keeps of an item an event or the API described.
func (a *app) record(e mediaEvent) (MediaRecord, error) {
	doc, err := json.Marshal(mediaView(e))
	if err != nil {
		return MediaRecord{}, err
	}
	rec := MediaRecord{ID: e.ID, Title: e.Title, Description: e.Description, Kind: e.Kind, Language: e.Language,
		License: e.License, Status: e.Status, AuthorIDs: e.AuthorIDs, CategoryIDs: e.CategoryIDs, Tags: e.Tags,
		PublishedAt: e.PublishedAt, CreatedAt: e.CreatedAt, Version: e.Version, Doc: doc}
	if e.Content != nil {
		rec.Duration, rec.Pages = e.Content.DurationSeconds, e.Content.Pages
		for _, d := range e.Derivatives {
			if d.Kind == "text" && d.Name != "" && path.Base(d.Name) == d.Name {
				rec.TextName = d.Name
				rec.TextObject = d.Name + "@" + e.Content.SHA256
			}
		}
	}
	return rec, nil
}

func (a *app) nudge() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// ---- queries ----

// searchRequest is a validated GET /v1/search.
type searchRequest struct {
	Text      string
	Params    Params
	PageToken string
	// CategoryID is the filter before its descendants are added.
	CategoryID string
}

// searchResult is one page.
type searchResult struct {
	Hits   []searchHitJSON
	Facets map[string]map[string]int
	Total  int
	Next   string
}

func (a *app) search(ctx context.Context, r searchRequest) (searchResult, error) {
	p := r.Params
	p.Query = domain.ParseQuery(r.Text)
	if p.Language != "" {
		p.Langs = []string{p.Language}
	} else {
		langs, err := a.indexLanguages(ctx)
		if err != nil {
			return searchResult{}, err
		}
		p.Langs = langs
	}
	fingerprint := r.fingerprint()
	if r.PageToken != "" {
		c, err := a.decodeToken(r.PageToken, fingerprint)
		if err != nil {
			return searchResult{}, err
		}
		p.After = &c
	}
	if r.CategoryID != "" {
		ids, err := a.store.Descendants(ctx, r.CategoryID)
		if err != nil {
			return searchResult{}, err
		}
		p.CategoryIDs = ids
	}
	if !p.Query.Positive() && len(p.Query.Clauses) > 0 {
		// Only negations: nothing to look for.
		return searchResult{Hits: []searchHitJSON{}, Facets: emptyFacets()}, nil
	}
	if err := a.correct(ctx, &p.Query); err != nil {
		return searchResult{}, err
	}
	hits, err := a.store.Search(ctx, p)
	if err != nil {
		return searchResult{}, err
	}
	var out searchResult
	if len(hits) > p.Limit {
		hits = hits[:p.Limit]
		last := hits[len(hits)-1]
		out.Next = a.encodeToken(Cursor{Score: last.Score, Time: last.SortTime, Pop: last.Popularity, ID: last.ID}, fingerprint)
	}
	// Facets are answered with the first page only: the client has them
	// when it asks for the next.
	if out.Total, out.Facets, err = a.store.Summary(ctx, p, a.cfg.FacetValues, r.PageToken == ""); err != nil {
		return searchResult{}, err
	}
	out.Hits = make([]searchHitJSON, 0, len(hits))
	terms := p.Query.Words()
	for _, h := range hits {
		var m searchMediaJSON
		if err := json.Unmarshal([]byte(h.Doc), &m); err != nil {
			return searchResult{}, err
		}
		hit := searchHitJSON{Media: m, Score: h.Score}
		if len(terms) > 0 {
			if t, ok := domain.Highlight(h.Title, terms); ok {
				hit.Highlights.Title = t
			}
			if d, ok := domain.Snippet(h.Description, terms, 200); ok {
				hit.Highlights.Description = d
			}
			if m.Content != nil && hasText(m) {
				pages, err := a.store.Passages(ctx, m.ID, p.Query, m.Language, 0, 3)
				if err != nil {
					return searchResult{}, err
				}
				chapters, err := a.chaptersOf(ctx, m)
				if err != nil {
					return searchResult{}, err
				}
				hit.Highlights.Content = passages(pages, terms, contentTypeOf(m), chapters, 3)
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

func hasText(m searchMediaJSON) bool {
	return slices.ContainsFunc(m.Derivatives, func(d searchDerivativeJSON) bool { return d.Kind == "text" })
}

func contentTypeOf(m searchMediaJSON) string {
	if m.Content == nil {
		return ""
	}
	return m.Content.ContentType
}

func emptyFacets() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, n := range FacetNames {
		out[n] = map[string]int{}
	}
	return out
}

// correct gives each unknown word of q the known words it may be a
// misspelling of.
func (a *app) correct(ctx context.Context, q *domain.Query) error {
	var words []string
	for _, c := range q.Clauses {
		for _, p := range c.Any {
			if len(p) == 1 && !p[0].Prefix && domain.Tolerance(p[0].Word) > 0 {
				words = append(words, p[0].Word)
			}
		}
	}
	if len(words) == 0 {
		return nil
	}
	known, err := a.store.Known(ctx, words)
	if err != nil {
		return err
	}
	for ci := range q.Clauses {
		for pi := range q.Clauses[ci].Any {
			p := q.Clauses[ci].Any[pi]
			if len(p) != 1 || p[0].Prefix || known[p[0].Word] || domain.Tolerance(p[0].Word) == 0 {
				continue
			}
			alts, err := a.alternatives(ctx, p[0].Word)
			if err != nil {
				return err
			}
			p[0].Alternatives = alts
		}
	}
	return nil
}

// alternatives returns up to three known words within the word's
// tolerance, closest first.
func (a *app) alternatives(ctx context.Context, word string) ([]string, error) {
	near, err := a.store.NearTerms(ctx, word)
	if err != nil {
		return nil, err
	}
	tol := domain.Tolerance(word)
	type cand struct {
		w string
		d int
	}
	var cs []cand
	for _, n := range near {
		if d := domain.Distance(word, n); d > 0 && d <= tol {
			cs = append(cs, cand{n, d})
		}
	}
	slices.SortStableFunc(cs, func(x, y cand) int { return x.d - y.d })
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].w)
	}
	return out, nil
}

// passages turns matching pages into snippets with their place.
func passages(pages []Page, terms []domain.Term, contentType string, chapters []Chapter, limit int) []searchPassageJSON {
	out := []searchPassageJSON{}
	for _, pg := range pages {
		if len(out) >= limit {
			break
		}
		snip, ok := domain.Snippet(pg.Body, terms, 160)
		if !ok {
			// A stemmed match the highlighter does not see: the page's start.
			snip, _ = domain.Highlight(firstRunes(pg.Body, 160), terms)
		}
		n, part := pg.N, pg.Part
		pj := searchPassageJSON{Snippet: snip}
		switch {
		case contentType == "application/pdf" && part > 0:
			pj.Page = &part
		case contentType == "application/pdf":
			pj.Page = &n // indexed before parts were kept: a passage was a page
		case contentType == contentTypeEPUB && part > 0:
			pj.Position, pj.Section, pj.Chapter = &n, &part, chapterOf(chapters, part)
		default:
			pj.Position = &n
		}
		out = append(out, pj)
	}
	return out
}

// chaptersOf is the table of contents of an EPUB item's current original.
func (a *app) chaptersOf(ctx context.Context, m searchMediaJSON) ([]Chapter, error) {
	if m.Content == nil || m.Content.ContentType != contentTypeEPUB || m.Content.SHA256 == "" {
		return nil, nil
	}
	return a.store.Chapters(ctx, m.ID, m.Content.SHA256)
}

// chapterOf is the chapter a passage of the given part is in: the first
// entry starting in that part, else the last one starting before it.
func chapterOf(chapters []Chapter, part int) *searchChapterJSON {
	var best *Chapter
	for i := range chapters {
		c := &chapters[i]
		switch {
		case c.Part == part:
			return &searchChapterJSON{Index: c.Position, Title: c.Title, Href: c.Href}
		case c.Part > 0 && c.Part < part && (best == nil || c.Part >= best.Part):
			best = c
		}
	}
	if best == nil {
		return nil
	}
	return &searchChapterJSON{Index: best.Position, Title: best.Title, Href: best.Href}
}

func firstRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// suggest returns autocomplete entries for a prefix, correcting a
// misspelt last word when too few entries start with it.
func (a *app) suggest(ctx context.Context, text string, limit int) ([]Suggestion, error) {
	prefix := domain.FoldText(text)
	if prefix == "" {
		return []Suggestion{}, nil
	}
	out, err := a.store.Suggest(ctx, prefix, limit)
	if err != nil || len(out) >= limit {
		return out, err
	}
	words := strings.Fields(prefix)
	last := words[len(words)-1]
	if domain.Tolerance(last) == 0 {
		return out, nil
	}
	near, err := a.store.NearTerms(ctx, last)
	if err != nil {
		return nil, err
	}
	tol := domain.Tolerance(last)
	// The known words whose start (as long as what was typed) is within
	// the tolerance, closest first; the three best are tried.
	type cand struct {
		w string
		d int
	}
	var cands []cand
	for _, n := range near {
		cut := n
		if r := []rune(n); len(r) > len([]rune(last)) {
			cut = string(r[:len([]rune(last))])
		}
		if cut == last {
			continue
		}
		if d := min(domain.Distance(last, cut), domain.Distance(last, n)); d <= tol {
			cands = append(cands, cand{n, d})
		}
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return x.d - y.d })
	seen := map[string]bool{}
	for _, s := range out {
		seen[s.Kind+"\x00"+s.Text] = true
	}
	for i := 0; i < len(cands) && i < 3 && len(out) < limit; i++ {
		words[len(words)-1] = cands[i].w
		more, err := a.store.Suggest(ctx, strings.Join(words, " "), limit)
		if err != nil {
			return nil, err
		}
		for _, s := range more {
			if k := s.Kind + "\x00" + s.Text; !seen[k] && len(out) < limit {
				seen[k] = true
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// inside returns the passages of an item's text matching text.
func (a *app) inside(ctx context.Context, mediaID, userID, text, pageToken string, limit int) (searchInsideJSON, error) {
	found, doc, err := a.store.MediaAccess(ctx, mediaID, userID)
	if err != nil {
		return searchInsideJSON{}, err
	}
	if !found {
		return searchInsideJSON{}, errs.NotFoundf("no media item %s", mediaID)
	}
	var m searchMediaJSON
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return searchInsideJSON{}, err
	}
	q := domain.ParseQuery(text)
	out := searchInsideJSON{Items: []searchPassageJSON{}}
	if !q.Positive() {
		return out, nil
	}
	fp := "inside|" + mediaID + "|" + text
	after := 0
	if pageToken != "" {
		c, err := a.decodeToken(pageToken, fingerprintOf(fp))
		if err != nil {
			return searchInsideJSON{}, err
		}
		after = int(c.Pop)
	}
	if err := a.correct(ctx, &q); err != nil {
		return searchInsideJSON{}, err
	}
	pages, err := a.store.Passages(ctx, mediaID, q, m.Language, after, limit)
	if err != nil {
		return searchInsideJSON{}, err
	}
	if len(pages) > limit {
		pages = pages[:limit]
		out.NextPageToken = a.encodeToken(Cursor{Pop: int64(pages[len(pages)-1].N), ID: mediaID}, fingerprintOf(fp))
	}
	chapters, err := a.chaptersOf(ctx, m)
	if err != nil {
		return searchInsideJSON{}, err
	}
	out.Items = passages(pages, q.Words(), contentTypeOf(m), chapters, limit)
	return out, nil
}

// ---- page tokens ----

// fingerprint ties a page token to the search it continues: a token of
// another query, filter or order is refused.
func (r searchRequest) fingerprint() string {
	p := r.Params
	parts := []string{r.Text, p.Sort, p.MemberUserID, p.Kind, p.Language, p.License, p.AuthorID, p.Tag, r.CategoryID,
		fmtPtr(p.DurationMin), fmtPtr(p.DurationMax), fmtPtr(p.PagesMin), fmtPtr(p.PagesMax), fmtTime(p.PublishedAfter),
		fmtTime(p.PublishedBefore)}
	return fingerprintOf(strings.Join(parts, "\x1f"))
}

func fingerprintOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

type tokenBody struct {
	Cursor
	F string `json:"f"`
}

func (a *app) encodeToken(c Cursor, fingerprint string) string {
	b, _ := json.Marshal(tokenBody{Cursor: c, F: fingerprint})
	mac := hmac.New(sha256.New, a.tokenKey)
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

var errBadToken = badRequestField("page_token", "is not a page token of this search")

func (a *app) decodeToken(token, fingerprint string) (Cursor, error) {
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return Cursor{}, errBadToken
	}
	b, err1 := base64.RawURLEncoding.DecodeString(body)
	s, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return Cursor{}, errBadToken
	}
	mac := hmac.New(sha256.New, a.tokenKey)
	mac.Write(b)
	if !hmac.Equal(mac.Sum(nil)[:16], s) {
		return Cursor{}, errBadToken
	}
	var t tokenBody
	if err := json.Unmarshal(b, &t); err != nil || t.F != fingerprint {
		return Cursor{}, errBadToken
	}
	return t.Cursor, nil
}
