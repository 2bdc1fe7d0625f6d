package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// TestHostileStorage replays the storage findings of the hostile review on
// the real binary: a signed link stops at unpublishing (for a link whose
// creator left), at removal and at revocation; Range abuse is refused
// with a problem document.
func TestHostileStorage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, anon, admin, tok := adminOnNewInstance(ctx, t)
	base := d.URL()
	bearer := "Bearer " + tok.AccessToken
	_, err := anon.Register(ctx, "reader@alexandria.test", "another horse battery staple 7", "Reader")
	must(t, err)
	rtok, err := anon.Login(ctx, "reader@alexandria.test", "another horse battery staple 7")
	must(t, err)
	reader := "Bearer " + rtok.AccessToken

	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Link maker"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Notes", Kind: "document", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	data := strings.Repeat("0123456789abcdef\n", 600)
	content := base + "/v1/media/" + m.ID + "/content"
	if a := storageCall(t, http.MethodPut, content, bearer, data, nil); a.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	if storageWaitSettled(t, ctx, base, bearer, m.ID) != "published" {
		_, err := admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: storagePtr("published")}, "")
		must(t, err)
	}

	mint := func(authz string) answer {
		return storageCall(t, http.MethodPost, content+"/links", authz, `{"expires_in_seconds":3600}`, map[string]string{"Content-Type": "application/json"})
	}
	linkOf := func(a answer) (id, url string) {
		t.Helper()
		if a.status != http.StatusCreated {
			t.Fatalf("mint: %d %s", a.status, a.body)
		}
		var v struct{ ID, URL string }
		must(t, json.Unmarshal([]byte(a.body), &v))
		return v.ID, v.URL
	}

	t.Run("signed_links_follow_the_item", func(t *testing.T) {
		if a := mint(reader); a.status != http.StatusForbidden || !storageIsProblem(a) {
			t.Fatalf("a reader minted a link: %d %s", a.status, a.body)
		}
		_, link := linkOf(mint(bearer))
		if a := storageCall(t, http.MethodGet, link, "", "", nil); a.status != http.StatusOK || a.body != data {
			t.Fatalf("link to a published item: %d", a.status)
		}
		// Unpublished: still served (the creator is a member), not to others.
		_, err := admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: storagePtr("draft")}, "")
		must(t, err)
		if a := storageCall(t, http.MethodGet, link, "", "", nil); a.status != http.StatusOK {
			t.Fatalf("member's link to a draft: %d %s", a.status, a.body)
		}
		// Removed by a moderator: the link is gone, and no new one is made.
		must(t, admin.DeleteMedia(ctx, m.ID))
		if a := storageCall(t, http.MethodGet, link, "", "", nil); a.status != http.StatusGone || !storageIsProblem(a) {
			t.Fatalf("link to a removed item: %d %s", a.status, a.body)
		}
		if a := mint(bearer); a.status != http.StatusForbidden {
			t.Fatalf("minting for a removed item: %d %s", a.status, a.body)
		}
		_, err = admin.RestoreMedia(ctx, m.ID)
		must(t, err)
		_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: storagePtr("published")}, "")
		must(t, err)
	})
	t.Run("revoked_links_are_gone", func(t *testing.T) {
		id, link := linkOf(mint(bearer))
		list := storageCall(t, http.MethodGet, base+"/v1/media/"+m.ID+"/links", bearer, "", nil)
		if list.status != http.StatusOK || !strings.Contains(list.body, id) {
			t.Fatalf("list: %d %s", list.status, list.body)
		}
		if a := storageCall(t, http.MethodDelete, base+"/v1/media/"+m.ID+"/links/"+id, bearer, "", nil); a.status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", a.status, a.body)
		}
		if a := storageCall(t, http.MethodGet, link, "", "", nil); a.status != http.StatusGone || !storageIsProblem(a) {
			t.Fatalf("revoked link: %d %s", a.status, a.body)
		}
	})
	t.Run("range_abuse_is_416", func(t *testing.T) {
		size := fmt.Sprint(len(data))
		parts := make([]string, 3000)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
		}
		for _, r := range []string{"bytes=-0", "bytes=" + strings.Join(parts, ",")} {
			a := storageCall(t, http.MethodGet, content, "", "", map[string]string{"Range": r})
			if a.status != http.StatusRequestedRangeNotSatisfiable || !storageIsProblem(a) || a.header.Get("Content-Range") != "bytes */"+size {
				t.Fatalf("Range %.40s: %d %q %.200s", r, a.status, a.header.Get("Content-Range"), a.body)
			}
		}
		a := storageCall(t, http.MethodGet, content, "", "", map[string]string{"Range": "bytes=10-19,0-9,5-14"})
		if a.status != http.StatusPartialContent || a.body != data[:20] || a.header.Get("Content-Range") != "bytes 0-19/"+size {
			t.Fatalf("overlapping ranges: %d %q %q", a.status, a.header.Get("Content-Range"), a.body)
		}
	})
}

// storageWaitSettled waits until processing is done with the item's file
// (it has content and is no longer processing) and returns its status.
func storageWaitSettled(t *testing.T, ctx context.Context, base, bearer, id string) string {
	t.Helper()
	for {
		item := getJSON(t, base+"/v1/media/"+id, bearer)
		if item["content"] != nil && item["status"] != "processing" {
			if item["status"] == "failed" {
				t.Fatalf("processing failed: %v", item["status_reason"])
			}
			return item["status"].(string)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("media %s not processed: %v", id, item)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func storagePtr[T any](v T) *T { return &v }

func storageIsProblem(a answer) bool {
	return strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json")
}

// call sends a request with headers and reads the whole answer.
func storageCall(t *testing.T, method, url, authz, body string, hdr map[string]string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	must(t, err)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}
