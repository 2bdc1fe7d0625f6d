package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// TestSearchPublishFindUnpublish publishes a PDF on the real binary and
// finds it by a title word, its author's name, a tag, a misspelt word, a
// word only inside the PDF (with its page), within a parent category, with
// right facet counts; unpublished, it is gone; hostile queries answer 200
// or 400.
func TestSearchPublishFindUnpublish(t *testing.T) {
	if testing.Short() {
		t.Skip("media pipeline: skipped with -short")
	}
	t.Parallel()
	requireMediaTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, _, admin, tok := adminOnNewInstance(ctx, t)
	base, bearer := d.URL(), "Bearer "+tok.AccessToken

	parent := searchCategory(t, base, bearer, `{"name":"Natural history","slug":"natural-history"}`)
	child := searchCategory(t, base, bearer, `{"name":"Ornithology","slug":"ornithology","parent_id":"`+parent+`"}`)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Émilie Du Châtelet"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Migratory Cormorants", Description: "Field notes.", Kind: "document",
		Language: "en", AuthorIDs: []string{author.ID}, CategoryIDs: []string{child}, Tags: []string{"wetlands"}, License: "CC-BY-4.0"})
	must(t, err)
	other, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Wetlands at dusk", Kind: "document", Language: "fr",
		AuthorIDs: []string{author.ID}, Tags: []string{"wetlands"}})
	must(t, err)

	pdf := testfiles.PDF("Migratory Cormorants", "The quixotic ptarmigan winters here", 1)
	up := doAuth(t, http.MethodPut, base+"/v1/media/"+m.ID+"/content", "application/pdf", string(pdf), bearer)
	if up.status/100 != 2 {
		t.Fatalf("upload: %d %s", up.status, up.body)
	}
	storageWaitSettled(t, ctx, base, bearer, m.ID)
	for _, id := range []string{m.ID, other.ID} {
		cur, err := admin.GetMedia(ctx, id)
		must(t, err)
		published := "published"
		_, err = admin.UpdateMedia(ctx, id, client.MediaPatch{Status: &published}, cur.ETag)
		must(t, err)
	}

	find := func(query string) map[string]any {
		t.Helper()
		a := do(t, http.MethodGet, base+"/v1/search?"+query, "", "")
		if a.status != http.StatusOK {
			t.Fatalf("search %s: %d %s", query, a.status, a.body)
		}
		var body map[string]any
		must(t, json.Unmarshal([]byte(a.body), &body))
		return body
	}
	has := func(body map[string]any, id string) bool {
		for _, it := range body["items"].([]any) {
			if it.(map[string]any)["media"].(map[string]any)["id"] == id {
				return true
			}
		}
		return false
	}
	// The word only inside the PDF is searchable once the text is fetched.
	deadline := time.Now().Add(30 * time.Second)
	for !has(find("q=ptarmigan"), m.ID) {
		if time.Now().After(deadline) {
			t.Fatal("the PDF's text never became searchable")
		}
		time.Sleep(100 * time.Millisecond)
	}
	hit := find("q=ptarmigan")["items"].([]any)[0].(map[string]any)
	content, _ := hit["highlights"].(map[string]any)["content"].([]any)
	if len(content) == 0 || content[0].(map[string]any)["page"] != 1.0 ||
		!strings.Contains(content[0].(map[string]any)["snippet"].(string), "<mark>ptarmigan</mark>") {
		t.Errorf("content highlight: %v", hit["highlights"])
	}
	for _, q := range []string{"q=cormorants", "q=chatelet", "q=" + url.QueryEscape("Châtelet"), "tag=wetlands&q=migratory",
		"q=cormorrants", "q=migrat*", "q=" + url.QueryEscape(`"migratory cormorants"`), "category_id=" + parent, "q=quixotic"} {
		if !has(find(q), m.ID) {
			t.Errorf("%s: not found", q)
		}
	}
	facets := find("q=wetlands")
	if facets["total"] != 2.0 {
		t.Errorf("total: %v", facets["total"])
	}
	f := facets["facets"].(map[string]any)
	if f["language"].(map[string]any)["en"] != 1.0 || f["language"].(map[string]any)["fr"] != 1.0 ||
		f["tag"].(map[string]any)["wetlands"] != 2.0 || f["author"].(map[string]any)[author.ID] != 2.0 ||
		f["category"].(map[string]any)[child] != 1.0 || f["license"].(map[string]any)["CC-BY-4.0"] != 1.0 {
		t.Errorf("facets: %v", f)
	}
	inside := do(t, http.MethodGet, base+"/v1/media/"+m.ID+"/search?q=ptarmigan", "", "")
	if inside.status != http.StatusOK || !strings.Contains(inside.body, `"page":1`) {
		t.Errorf("search inside: %d %s", inside.status, inside.body)
	}
	sug := do(t, http.MethodGet, base+"/v1/search/suggest?q=cormo", "", "")
	if sug.status != http.StatusOK || !strings.Contains(sug.body, "Migratory Cormorants") {
		t.Errorf("suggest: %d %s", sug.status, sug.body)
	}

	// Hostile queries: 200 or 400, never a hidden item, never 500.
	for _, q := range []string{"q=%00", "q=%ff", "q=" + strings.Repeat("x", 2000), "q=" + url.QueryEscape(`NEAR(a b) " * : ^`),
		"q=" + url.QueryEscape(`'); DROP TABLE search_media; --`), "page_size=99999999", "page_token=forged", "q=-ptarmigan"} {
		a := do(t, http.MethodGet, base+"/v1/search?"+q, "", "")
		if a.status != http.StatusOK && a.status != http.StatusBadRequest {
			t.Errorf("hostile %s: %d %s", q, a.status, a.body)
		}
	}

	// Unpublished: gone from results at once.
	cur, err := admin.GetMedia(ctx, m.ID)
	must(t, err)
	draft := "draft"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &draft}, cur.ETag)
	must(t, err)
	deadline = time.Now().Add(10 * time.Second)
	for has(find("q=cormorants"), m.ID) || has(find("q=ptarmigan"), m.ID) {
		if time.Now().After(deadline) {
			t.Fatal("an unpublished item is still found")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a := do(t, http.MethodGet, base+"/v1/media/"+m.ID+"/search?q=ptarmigan", "", ""); a.status != http.StatusNotFound {
		t.Errorf("search inside a draft: %d", a.status)
	}
	// Its members still find it with scope=mine.
	a := doAuth(t, http.MethodGet, base+"/v1/search?scope=mine&q=cormorants", "", "", bearer)
	if a.status != http.StatusOK || !strings.Contains(a.body, m.ID) {
		t.Errorf("scope=mine: %d %s", a.status, a.body)
	}

	// The reindex command rebuilds from the public API while the server
	// answers: the public item stays found, the draft stays the members'.
	cmd := exec.CommandContext(ctx, binary, "search", "reindex", "-url", base)
	cmd.Env = append(os.Environ(), d.env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 public media items rewritten") {
		t.Fatalf("search reindex: %v %s", err, out)
	}
	if !has(find("q=wetlands"), other.ID) || has(find("q=cormorants"), m.ID) {
		t.Error("after the reindex: wrong results")
	}
	a = doAuth(t, http.MethodGet, base+"/v1/search?scope=mine&q=cormorants", "", "", bearer)
	if !strings.Contains(a.body, m.ID) {
		t.Errorf("scope=mine after the reindex: %s", a.body)
	}
}

func searchCategory(t *testing.T, base, bearer, body string) string {
	t.Helper()
	a := doAuth(t, http.MethodPost, base+"/v1/categories", "application/json", body, bearer)
	if a.status != http.StatusCreated {
		t.Fatalf("category: %d %s", a.status, a.body)
	}
	var c struct{ ID string }
	must(t, json.Unmarshal([]byte(a.body), &c))
	return c.ID
}
