package storage

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestRenditionsServed serves an HLS ladder as processing reports it: the
// types and cache headers of playlists and segments, and a draft's ladder
// through one signed link under which the playlists' relative URIs resolve.
func TestRenditionsServed(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		uid, authz := e.user()
		_, stranger := e.user()
		media := e.catalog.newMedia(KindBook, "draft", uid)
		data := makePDF("ladder", 0)
		expectStatus(t, e.tusUpload(authz, media, data), http.StatusNoContent)
		tag := "hls-" + sha(data)[:8] + "-240p"
		files := []struct{ name, kind, ctype, body string }{
			{"hls.m3u8", "rendition", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2,CODECS=\"avc1.4d401e\"\n" + tag + ".m3u8\n"},
			{tag + ".m3u8", "rendition", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXT-X-MAP:URI=\"" + tag + "-init.mp4\"\n#EXTINF:1,\n" + tag + "-00000.m4s\n"},
			{tag + "-init.mp4", "rendition_segment", "video/mp4", "init"},
			{tag + "-00000.m4s", "rendition_segment", "video/iso.segment", "segment zero"},
			{"storyboard-001.jpg", "storyboard", "image/jpeg", "\xff\xd8sheet"},
		}
		var derivs []map[string]any
		for _, f := range files {
			key := "derivatives/" + media + "/" + sha(data) + "/" + f.name
			if err := e.svc.bucket.WriteAll(context.Background(), key, []byte(f.body), nil); err != nil {
				t.Fatal(err)
			}
			derivs = append(derivs, map[string]any{"kind": f.kind, "object_key": key, "content_type": f.ctype, "size": len(f.body)})
		}
		e.publish("processing", eventMediaProcessed, media, map[string]any{"media_id": media,
			"object_key": blob.ContentKey(mustHex(sha(data))), "sha256": sha(data),
			"content": map[string]any{"size": len(data), "sha256": sha(data), "content_type": TypePDF}, "derivatives": derivs})
		base := "/v1/media/" + media + "/derivatives/"
		eventually(t, "the ladder is served", func() bool {
			return e.do(nil, http.MethodGet, base+"hls.m3u8", authz, nil, nil).StatusCode == http.StatusOK
		})
		// A draft: not for strangers or anonymous callers.
		problemOf(t, e.do(nil, http.MethodGet, base+tag+"-00000.m4s", "", nil, nil), http.StatusNotFound)
		problemOf(t, e.do(nil, http.MethodGet, base+tag+"-00000.m4s", stranger, nil, nil), http.StatusNotFound)

		l := e.link(authz, media)
		if !strings.HasSuffix(l.DerivativesURL, "/") || !strings.Contains(l.DerivativesURL, "/v1/media/"+media+"/signed/"+l.ID+"/") {
			t.Fatalf("derivatives_url %q", l.DerivativesURL)
		}
		// Walk the ladder as a player does: each URI resolved against the
		// playlist that names it, with no token.
		fetch := func(u *url.URL, wantType, wantCache string) []byte {
			t.Helper()
			resp := e.do(nil, http.MethodGet, u.String(), "", nil, nil)
			body := expectStatus(t, resp, http.StatusOK)
			if resp.Header.Get("Content-Type") != wantType || resp.Header.Get("Cache-Control") != wantCache {
				t.Errorf("%s: Content-Type %q, Cache-Control %q; want %q, %q", u.Path, resp.Header.Get("Content-Type"),
					resp.Header.Get("Cache-Control"), wantType, wantCache)
			}
			return body
		}
		master, err := url.Parse(l.DerivativesURL + "hls.m3u8")
		if err != nil {
			t.Fatal(err)
		}
		fetch(master, "application/vnd.apple.mpegurl", "private, no-store")
		variant := master.ResolveReference(&url.URL{Path: tag + ".m3u8"})
		fetch(variant, "application/vnd.apple.mpegurl", "private, no-store")
		seg := variant.ResolveReference(&url.URL{Path: tag + "-00000.m4s"})
		if got := fetch(seg, "video/iso.segment", "private, max-age=86400, immutable"); !bytes.Equal(got, []byte("segment zero")) {
			t.Errorf("segment %q", got)
		}
		fetch(variant.ResolveReference(&url.URL{Path: tag + "-init.mp4"}), "video/mp4", "private, max-age=86400, immutable")

		// The signature is the link's and the item's: tampered, moved to
		// another item, or a content link's signature, it opens nothing.
		parts := strings.Split(strings.TrimSuffix(l.DerivativesURL, "/"), "/")
		sig := parts[len(parts)-1]
		tampered := strings.Replace(seg.String(), "/"+sig+"/", "/"+strings.Repeat("A", len(sig))+"/", 1)
		problemOf(t, e.do(nil, http.MethodGet, tampered, "", nil, nil), http.StatusForbidden)
		other := e.catalog.newMedia(KindBook, "draft", uid)
		problemOf(t, e.do(nil, http.MethodGet, strings.Replace(seg.String(), media, other, 1), "", nil, nil), http.StatusForbidden)
		cu, _ := url.Parse(l.URL)
		q := cu.Query()
		contentSig := "/v1/media/" + media + "/signed/" + q.Get("link") + "/" + q.Get("expires") + "/" + q.Get("sig") + "/hls.m3u8"
		problemOf(t, e.do(nil, http.MethodGet, contentSig, "", nil, nil), http.StatusForbidden)
		problemOf(t, e.do(nil, http.MethodGet, "/v1/media/not-a-uuid/signed/a/1/b/hls.m3u8", "", nil, nil), http.StatusNotFound)

		// Revoked, the link opens the ladder no more.
		expectStatus(t, e.do(nil, http.MethodDelete, "/v1/media/"+media+"/links/"+l.ID, authz, nil, nil), http.StatusNoContent)
		problemOf(t, e.do(nil, http.MethodGet, seg.String(), "", nil, nil), http.StatusGone)

		// Published: segments and sheets are immutable, playlists short-lived.
		e.catalog.setStatus(media, "published")
		for _, c := range []struct{ name, cache string }{
			{"hls.m3u8", "public, max-age=30"}, {tag + ".m3u8", "public, max-age=30"},
			{tag + "-00000.m4s", "public, max-age=31536000, immutable"}, {"storyboard-001.jpg", "public, max-age=31536000, immutable"},
		} {
			resp := e.do(nil, http.MethodGet, base+c.name, "", nil, nil)
			expectStatus(t, resp, http.StatusOK)
			if got := resp.Header.Get("Cache-Control"); got != c.cache {
				t.Errorf("%s: Cache-Control %q, want %q", c.name, got, c.cache)
			}
		}
	})
}
