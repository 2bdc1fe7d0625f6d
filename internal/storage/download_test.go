package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestDownloadRangesAndConditionals(t *testing.T) {
	t.Parallel()
	everywhere(t, func(t *testing.T, s moduletest.Store, blobURL string) {
		e := newEnv(t, s, blobURL, nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindBook, "published", uid)
		data := makePDF("ranges", 200<<10)
		expectStatus(t, e.tusUpload(authz, media, data), http.StatusNoContent)
		path := "/v1/media/" + media + "/content"
		etag := `"` + sha(data) + `"`

		resp := e.do(nil, http.MethodGet, path, "", nil, nil)
		if got := expectStatus(t, resp, http.StatusOK); !bytes.Equal(got, data) {
			t.Fatal("full download differs")
		}
		for k, want := range map[string]string{
			"ETag": etag, "Content-Type": TypePDF, "Accept-Ranges": "bytes", "Cache-Control": "public, max-age=3600",
			"Content-Disposition": `inline; filename="My Book.pdf"; filename*=UTF-8''My%20Book.pdf`,
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		lastModified := resp.Header.Get("Last-Modified")
		if lastModified == "" {
			t.Error("no Last-Modified")
		}

		t.Run("single_range_is_206_with_exact_bytes", func(t *testing.T) {
			resp := e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=1000-1999"})
			got := expectStatus(t, resp, http.StatusPartialContent)
			if !bytes.Equal(got, data[1000:2000]) || resp.Header.Get("Content-Range") != "bytes 1000-1999/"+itoa(int64(len(data))) {
				t.Fatalf("range: %d bytes, Content-Range %q", len(got), resp.Header.Get("Content-Range"))
			}
			resp = e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=-100"})
			if got := expectStatus(t, resp, http.StatusPartialContent); !bytes.Equal(got, data[len(data)-100:]) {
				t.Fatal("suffix range differs")
			}
		})
		t.Run("multiple_ranges_are_multipart", func(t *testing.T) {
			resp := e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=0-9,5000-5099"})
			if resp.StatusCode != http.StatusPartialContent {
				t.Fatalf("status %d", resp.StatusCode)
			}
			_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			mr := multipart.NewReader(resp.Body, params["boundary"])
			for _, want := range [][]byte{data[0:10], data[5000:5100]} {
				part, err := mr.NextPart()
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(part)
				if !bytes.Equal(got, want) {
					t.Fatalf("part %q differs", part.Header.Get("Content-Range"))
				}
			}
			_ = resp.Body.Close()
		})
		t.Run("if_none_match_is_304", func(t *testing.T) {
			expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, map[string]string{"If-None-Match": etag}), http.StatusNotModified)
			expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, map[string]string{"If-None-Match": `"other"`}), http.StatusOK)
		})
		t.Run("if_range_matching_gives_206_else_200", func(t *testing.T) {
			expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=0-0", "If-Range": etag}), http.StatusPartialContent)
			got := expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=0-0", "If-Range": `"stale"`}), http.StatusOK)
			if len(got) != len(data) {
				t.Fatalf("If-Range mismatch sent %d bytes", len(got))
			}
		})
		t.Run("head_has_length_and_no_body", func(t *testing.T) {
			resp := e.do(nil, http.MethodHead, path, "", nil, nil)
			if b := expectStatus(t, resp, http.StatusOK); len(b) != 0 || resp.ContentLength != int64(len(data)) {
				t.Fatalf("HEAD: %d body bytes, Content-Length %d", len(b), resp.ContentLength)
			}
		})
	})
}

func TestDraftDownloadsNeedMembershipOrSignedLink(t *testing.T) {
	t.Parallel()
	everywhere(t, func(t *testing.T, s moduletest.Store, blobURL string) {
		e := newEnv(t, s, blobURL, nil)
		uid, authz := e.user()
		_, stranger := e.user()
		media := e.catalog.newMedia(KindDocument, "draft", uid)
		data := []byte("Draft notes, plain text.\n")
		expectStatus(t, e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", authz, bytes.NewReader(data), nil), http.StatusCreated)
		path := "/v1/media/" + media + "/content"

		// Catalog hides drafts from those who may not see them.
		expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, nil), http.StatusNotFound)
		expectStatus(t, e.do(nil, http.MethodGet, path, stranger, nil, nil), http.StatusNotFound)
		resp := e.do(nil, http.MethodGet, path, authz, nil, nil)
		if got := expectStatus(t, resp, http.StatusOK); !bytes.Equal(got, data) || resp.Header.Get("Cache-Control") != "private, no-store" {
			t.Fatalf("member download: %q, Cache-Control %q", got, resp.Header.Get("Cache-Control"))
		}

		expectStatus(t, e.do(nil, http.MethodPost, path+"/links", stranger, strings.NewReader(`{"expires_in_seconds":60}`),
			map[string]string{"Content-Type": "application/json"}), http.StatusNotFound)
		resp = e.do(nil, http.MethodPost, path+"/links", authz, strings.NewReader(`{"expires_in_seconds":60}`),
			map[string]string{"Content-Type": "application/json"})
		var link LinkJSON
		if err := json.Unmarshal(expectStatus(t, resp, http.StatusCreated), &link); err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(link.URL)
		if err != nil || u.Query().Get("sig") == "" || u.Query().Get("expires") == "" {
			t.Fatalf("link %q", link.URL)
		}
		if got := expectStatus(t, e.do(nil, http.MethodGet, link.URL, "", nil, nil), http.StatusOK); !bytes.Equal(got, data) {
			t.Fatal("signed download differs")
		}
		q := u.Query()
		q.Set("sig", strings.Repeat("A", len(q.Get("sig"))))
		expectStatus(t, e.do(nil, http.MethodGet, e.url+u.Path+"?"+q.Encode(), "", nil, nil), http.StatusForbidden)
		q = u.Query()
		q.Set("expires", itoa(time.Now().Add(time.Hour).Unix()))
		expectStatus(t, e.do(nil, http.MethodGet, e.url+u.Path+"?"+q.Encode(), "", nil, nil), http.StatusForbidden)
		e.clock.advance(2 * time.Minute)
		body := expectStatus(t, e.do(nil, http.MethodGet, link.URL, "", nil, nil), http.StatusForbidden)
		if !strings.Contains(string(body), "expired") {
			t.Errorf("expired link answered %s", body)
		}
		// Once published, anyone may download it, and caches may keep it.
		e.catalog.setStatus(media, "published")
		resp = e.do(nil, http.MethodGet, path, "", nil, nil)
		if expectStatus(t, resp, http.StatusOK); resp.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
		}
	})
}

func TestFFprobeReadsVideoOverHTTP(t *testing.T) {
	t.Parallel()
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		requireOrSkip(t, "ffprobe (apt-get install ffmpeg)", err)
	}
	everywhere(t, func(t *testing.T, s moduletest.Store, blobURL string) {
		e := newEnv(t, s, blobURL, nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindVideo, "published", uid)
		data := mediaFile(t, "mp4")
		expectStatus(t, e.tusUpload(authz, media, data), http.StatusNoContent)
		before := e.metric("alexandria_storage_download_bytes_total", nil)
		out, err := exec.Command(ffprobe, "-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration", //nolint:gosec // the test's own URL
			"-of", "json", e.url+"/v1/media/"+media+"/content").CombinedOutput()
		if err != nil {
			t.Fatalf("ffprobe: %v\n%s", err, out)
		}
		var probe struct {
			Streams []struct {
				CodecType string `json:"codec_type"`
				CodecName string `json:"codec_name"`
			} `json:"streams"`
			Format struct {
				Duration string `json:"duration"`
			} `json:"format"`
		}
		if err := json.Unmarshal(out, &probe); err != nil || len(probe.Streams) < 1 || !strings.HasPrefix(probe.Format.Duration, "2.") {
			t.Fatalf("ffprobe output %s (%v)", out, err)
		}
		if e.metric("alexandria_storage_download_bytes_total", nil) <= before {
			t.Error("download bytes not counted")
		}
	})
}

func TestAudioAndVideoUploads(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		uid, authz := e.user()
		for _, tc := range []struct{ ext, kind, want string }{
			{"mp3", KindPodcast, TypeMP3}, {"m4a", KindPodcast, TypeM4A}, {"ogg", KindPodcast, TypeOgg},
			{"mp4", KindVideo, TypeMP4}, {"webm", KindVideo, TypeWebM},
		} {
			data := mediaFile(t, tc.ext)
			media := e.catalog.newMedia(tc.kind, "draft", uid)
			expectStatus(t, e.tusUpload(authz, media, data), http.StatusNoContent)
			u, err := e.svc.store.Current(context.Background(), media)
			if err != nil || u.ContentType != tc.want || u.SHA256 != sha(data) {
				t.Errorf("%s: %+v, %v", tc.ext, u, err)
			}
		}
		// A video is not a podcast.
		media := e.catalog.newMedia(KindPodcast, "draft", uid)
		expectStatus(t, e.tusUpload(authz, media, mediaFile(t, "webm")), http.StatusUnsupportedMediaType)
	})
}

func TestDerivativesFromProcessing(t *testing.T) {
	t.Parallel()
	everywhere(t, func(t *testing.T, s moduletest.Store, blobURL string) {
		e := newEnv(t, s, blobURL, nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindBook, "published", uid)
		data := makePDF("derived", 0)
		expectStatus(t, e.tusUpload(authz, media, data), http.StatusNoContent)
		ctx := context.Background()
		cover := []byte("\xff\xd8\xff\xe0 not really a jpeg")
		key := "derivatives/" + media + "/" + sha(data) + "/cover.jpg"
		w, err := e.svc.bucket.NewWriter(ctx, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(cover)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		processed := map[string]any{"media_id": media, "object_key": blob.ContentKey(mustHex(sha(data))), "sha256": sha(data),
			"content": map[string]any{"size": len(data), "sha256": sha(data), "content_type": TypePDF},
			"derivatives": []map[string]any{
				{"kind": "cover", "object_key": key, "content_type": "image/jpeg", "size": len(cover)},
				{"kind": "cover", "object_key": "content/ab/elsewhere", "content_type": "image/jpeg", "size": 1},
			}}
		e.publish("processing", eventMediaProcessed, media, processed)
		path := "/v1/media/" + media + "/derivatives/cover.jpg"
		eventually(t, "the derivative is served", func() bool {
			resp := e.do(nil, http.MethodGet, path, "", nil, nil)
			got := read(t, resp)
			return resp.StatusCode == http.StatusOK && bytes.Equal(got, cover) && resp.Header.Get("Content-Type") == "image/jpeg"
		})
		expectStatus(t, e.do(nil, http.MethodGet, "/v1/media/"+media+"/derivatives/elsewhere", "", nil, nil), http.StatusNotFound)
		// A newer file replaces the old one: its object and derivatives go.
		newer := makePDF("newer", 0)
		expectStatus(t, e.tusUpload(authz, media, newer), http.StatusNoContent)
		expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, nil), http.StatusNotFound)
		eventually(t, "the replaced objects are deleted", func() bool {
			return len(e.objects("derivatives/")) == 0 && len(e.objects("content/")) == 1
		})
		eventually(t, "two object.deleted events", func() bool { return e.events.count(EventObjectDeleted, media) == 2 })
	})
}

func TestPresignedRedirect(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	blobURL := minioBucket(t)
	h := newEnvBlob(t, s, blob.Config{URL: blobURL, PresignDownloads: true}, nil)
	uid, authz := h.user()
	media := h.catalog.newMedia(KindBook, "published", uid)
	data := makePDF("presigned", 0)
	expectStatus(t, h.tusUpload(authz, media, data), http.StatusNoContent)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp := h.do(noRedirect, http.MethodGet, "/v1/media/"+media+"/content", "", nil, nil)
	expectStatus(t, resp, http.StatusFound)
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, minioEndpoint) {
		t.Fatalf("redirect to %q", loc)
	}
	if got := expectStatus(t, h.do(nil, http.MethodGet, loc, "", nil, nil), http.StatusOK); !bytes.Equal(got, data) {
		t.Fatal("presigned download differs")
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
