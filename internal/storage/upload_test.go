package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// everywhere runs fn on every store (SQLite, PostgreSQL) and blob backend
// (local directory, MinIO).
func everywhere(t *testing.T, fn func(t *testing.T, s moduletest.Store, blobURL string)) {
	for _, s := range moduletest.Stores(t) {
		for _, b := range backends {
			t.Run(s.Name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				fn(t, s, b.url(t))
			})
		}
	}
}

// onStores runs fn on every store with the local blob directory.
func onStores(t *testing.T, fn func(t *testing.T, s moduletest.Store)) {
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, s)
		})
	}
}

// failingBody yields n bytes of data, then fails: the client aborts the
// request half-way, as a dropped connection would.
type failingBody struct {
	r io.Reader
}

func (f *failingBody) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection lost")
	}
	return n, err
}

func TestTusInterruptedUploadResumesFromNewClient(t *testing.T) {
	t.Parallel()
	everywhere(t, func(t *testing.T, s moduletest.Store, blobURL string) {
		e := newEnv(t, s, blobURL, nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindBook, "draft", uid)
		data := makePDF("resumable", 3<<20)

		resp := e.tusCreate(authz, media, len(data))
		expectStatus(t, resp, http.StatusCreated)
		location := resp.Header.Get("Location")
		if resp.Header.Get("Upload-Expires") == "" {
			t.Error("creation did not answer Upload-Expires")
		}

		// First client: sends half, then its connection drops.
		half := len(data) / 2
		first := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		req, _ := http.NewRequest(http.MethodPatch, location, &failingBody{r: bytes.NewReader(data[:half])})
		req.ContentLength = int64(len(data))
		req.Header.Set("Authorization", authz)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		if resp, err := first.Do(req); err == nil {
			_ = resp.Body.Close()
			t.Fatalf("interrupted PATCH answered %d", resp.StatusCode)
		}

		// A new client asks where to resume and sends the rest with a checksum.
		second := &http.Client{Transport: &http.Transport{}}
		var offset int64
		eventually(t, "the server keeps the bytes received before the drop", func() bool {
			head := e.do(second, http.MethodHead, location, authz, nil, map[string]string{"Tus-Resumable": "1.0.0"})
			_ = head.Body.Close()
			_, _ = fmt.Sscan(head.Header.Get("Upload-Offset"), &offset)
			return head.StatusCode == http.StatusOK && offset > 0
		})
		if offset > int64(half) {
			t.Fatalf("offset %d after sending %d bytes", offset, half)
		}
		resp = e.tusPatch(second, authz, location, offset, data[offset:], true)
		expectStatus(t, resp, http.StatusNoContent)
		if got := resp.Header.Get("X-Content-SHA256"); got != sha(data) {
			t.Fatalf("sha256 %s, want %s", got, sha(data))
		}

		got := expectStatus(t, e.do(nil, http.MethodGet, "/v1/media/"+media+"/content", authz, nil, nil), http.StatusOK)
		if sha(got) != sha(data) {
			t.Fatalf("downloaded sha256 %s, want %s", sha(got), sha(data))
		}
		ev := e.events.wait(t, EventUploadCompleted, media)
		var done UploadCompletedV1
		if err := json.Unmarshal(ev.Data, &done); err != nil {
			t.Fatal(err)
		}
		if done.SHA256 != sha(data) || done.Size != int64(len(data)) || done.ContentType != TypePDF ||
			done.Filename != "My Book.pdf" || done.ObjectKey != "content/"+sha(data)[:2]+"/"+sha(data) || done.Kind != KindBook {
			t.Fatalf("completed event %+v", done)
		}
		if files := e.tusFiles(); len(files) != 0 {
			t.Errorf("tus data left behind: %v", files)
		}
	})
}

func TestTusChecksumMismatchKeepsNothing(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindBook, "draft", uid)
		data := makePDF("checksum", 0)
		resp := e.tusCreate(authz, media, len(data))
		expectStatus(t, resp, http.StatusCreated)
		location := resp.Header.Get("Location")
		resp = e.do(nil, http.MethodPatch, location, authz, bytes.NewReader(data), map[string]string{
			"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
			"Upload-Checksum": "sha256 " + strings.Repeat("A", 43) + "=",
		})
		body := expectStatus(t, resp, 460)
		if !strings.Contains(string(body), "Upload-Checksum") {
			t.Errorf("460 body: %s", body)
		}
		head := e.do(nil, http.MethodHead, location, authz, nil, map[string]string{"Tus-Resumable": "1.0.0"})
		_ = head.Body.Close()
		if head.Header.Get("Upload-Offset") != "0" {
			t.Fatalf("offset after a bad chunk: %s", head.Header.Get("Upload-Offset"))
		}
		// The same chunk with its right checksum completes the upload.
		expectStatus(t, e.tusPatch(nil, authz, location, 0, data, true), http.StatusNoContent)
	})
}

func TestTusOptionsAdvertisesExtensions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], "", nil)
	resp := e.do(nil, http.MethodOptions, "/v1/uploads", "", nil, nil)
	_ = read(t, resp)
	ext := resp.Header.Get("Tus-Extension")
	for _, want := range []string{"creation", "termination", "checksum", "expiration"} {
		if !strings.Contains(ext, want) {
			t.Errorf("Tus-Extension %q lacks %s", ext, want)
		}
	}
	if resp.Header.Get("Tus-Checksum-Algorithm") != "sha256" {
		t.Errorf("Tus-Checksum-Algorithm %q", resp.Header.Get("Tus-Checksum-Algorithm"))
	}
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", func(c *Config) {
			c.BookMaxBytes = 1 << 20
			c.UserQuotaBytes = 600 << 10
		})
		uid, authz := e.user()
		_, stranger := e.user()
		book := e.catalog.newMedia(KindBook, "published", uid)
		podcast := e.catalog.newMedia(KindPodcast, "draft", uid)

		t.Run("anonymous_is_401", func(t *testing.T) {
			expectStatus(t, e.tusCreate("", book, 100), http.StatusUnauthorized)
		})
		t.Run("non_member_is_403", func(t *testing.T) {
			body := expectStatus(t, e.tusCreate(stranger, book, 100), http.StatusForbidden)
			if !strings.Contains(string(body), "only members") {
				t.Errorf("403 body: %s", body)
			}
		})
		t.Run("unknown_media_is_404", func(t *testing.T) {
			expectStatus(t, e.tusCreate(authz, e.catalog.newMedia(KindBook, "draft"), 100), http.StatusNotFound)
		})
		t.Run("over_kind_limit_is_413_at_creation", func(t *testing.T) {
			body := expectStatus(t, e.tusCreate(authz, book, 2<<20), http.StatusRequestEntityTooLarge)
			if !strings.Contains(string(body), "a book file may be at most 1.0 MiB") {
				t.Errorf("413 body: %s", body)
			}
		})
		t.Run("over_quota_is_413_at_creation", func(t *testing.T) {
			first := makePDF("quota", 400<<10)
			expectStatus(t, e.tusUpload(authz, book, first), http.StatusNoContent)
			// The completed 400 KiB count: 300 KiB more does not fit in 600.
			body := expectStatus(t, e.tusCreate(authz, book, 300<<10), http.StatusRequestEntityTooLarge)
			if !strings.Contains(string(body), "quota") {
				t.Errorf("413 body: %s", body)
			}
			// Uploads in progress count too.
			expectStatus(t, e.tusCreate(authz, podcast, 150<<10), http.StatusCreated)
			expectStatus(t, e.tusCreate(authz, podcast, 100<<10), http.StatusRequestEntityTooLarge)
		})
		t.Run("wrong_bytes_for_kind_refused_and_nothing_kept", func(t *testing.T) {
			before := e.objects("content/")
			data := makePDF("not audio", 0)
			resp := e.tusCreate(authz, podcast, len(data))
			expectStatus(t, resp, http.StatusCreated)
			location := resp.Header.Get("Location")
			id := location[strings.LastIndex(location, "/")+1:]
			body := expectStatus(t, e.tusPatch(nil, authz, location, 0, data, true), http.StatusUnsupportedMediaType)
			if !strings.Contains(string(body), "a podcast must be MP3, M4A/AAC or Ogg") || !strings.Contains(string(body), "PDF") {
				t.Errorf("415 body: %s", body)
			}
			ev := e.events.wait(t, EventUploadFailed, podcast)
			var failed UploadFailedV1
			_ = json.Unmarshal(ev.Data, &failed)
			if failed.UploadID != id || !strings.Contains(failed.Reason, "a podcast must be") {
				t.Errorf("failed event %+v", failed)
			}
			if after := e.objects("content/"); len(after) != len(before) {
				t.Errorf("objects %v after a refused upload (before %v)", after, before)
			}
			for _, f := range e.tusFiles() {
				if strings.HasPrefix(f, id) {
					t.Errorf("tus data left behind: %s", f)
				}
			}
			if _, err := e.svc.store.Pending(context.Background(), id); err == nil {
				t.Error("the refused upload still holds its reservation")
			}
			if _, err := e.svc.store.Current(context.Background(), podcast); err == nil {
				t.Error("a refused file became the podcast's content")
			}
		})
		if e.metric("alexandria_storage_uploads_total", map[string]string{"kind": KindPodcast, "result": "refused"}) != 1 {
			t.Error("refused upload not counted")
		}
	})
}

func TestUploadOfAnotherUserIsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], "", nil)
	uid, authz := e.user()
	_, other := e.user()
	media := e.catalog.newMedia(KindBook, "draft", uid)
	resp := e.tusCreate(authz, media, 1000)
	expectStatus(t, resp, http.StatusCreated)
	location := resp.Header.Get("Location")
	expectStatus(t, e.do(nil, http.MethodHead, location, other, nil, map[string]string{"Tus-Resumable": "1.0.0"}), http.StatusNotFound)
	expectStatus(t, e.tusPatch(nil, other, location, 0, []byte("x"), false), http.StatusNotFound)
	// Its owner may terminate it; the reservation goes with it.
	expectStatus(t, e.do(nil, http.MethodDelete, location, authz, nil, map[string]string{"Tus-Resumable": "1.0.0"}), http.StatusNoContent)
	if ps, _ := e.svc.store.AllPending(context.Background()); len(ps) != 0 {
		t.Errorf("reservations after termination: %v", ps)
	}
}

func TestExpiredUploadIsDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], "", func(c *Config) { c.UploadExpiry = time.Hour })
	uid, authz := e.user()
	media := e.catalog.newMedia(KindBook, "draft", uid)
	resp := e.tusCreate(authz, media, 1000)
	expectStatus(t, resp, http.StatusCreated)
	location := resp.Header.Get("Location")
	expectStatus(t, e.tusPatch(nil, authz, location, 0, []byte("%PDF-1.4 partial"), false), http.StatusNoContent)
	e.clock.advance(2 * time.Hour)
	e.events.wait(t, EventUploadFailed, media)
	expectStatus(t, e.do(nil, http.MethodHead, location, authz, nil, map[string]string{"Tus-Resumable": "1.0.0"}), http.StatusNotFound)
	eventually(t, "the expired bytes are deleted", func() bool { return len(e.tusFiles()) == 0 })
}

func TestDedupeStoresIdenticalFilesOnce(t *testing.T) {
	t.Parallel()
	everywhere(t, func(t *testing.T, s moduletest.Store, blobURL string) {
		e := newEnv(t, s, blobURL, nil)
		uid, authz := e.user()
		a, b := e.catalog.newMedia(KindBook, "draft", uid), e.catalog.newMedia(KindDocument, "draft", uid)
		data := makeEPUB("same")
		expectStatus(t, e.tusUpload(authz, a, data), http.StatusNoContent)
		// The one-request upload path, same bytes, another item.
		resp := e.do(nil, http.MethodPut, "/v1/media/"+b+"/content?filename=copy.epub", authz, bytes.NewReader(data), nil)
		var view UploadJSON
		if err := json.Unmarshal(expectStatus(t, resp, http.StatusCreated), &view); err != nil {
			t.Fatal(err)
		}
		if view.SHA256 != sha(data) || view.ContentType != TypeEPUB || view.Filename != "copy.epub" {
			t.Fatalf("PUT answered %+v", view)
		}
		if objs := e.objects("content/"); len(objs) != 1 {
			t.Fatalf("objects %v; identical files must be stored once", objs)
		}
		// Deleting one item keeps the object the other still uses.
		e.publish("catalog", eventMediaDeleted, a, map[string]any{"id": a})
		eventually(t, "the deleted item's rows go", func() bool {
			_, err := e.svc.store.Current(context.Background(), a)
			return err != nil
		})
		if objs := e.objects("content/"); len(objs) != 1 {
			t.Fatalf("objects %v after deleting one of two users", objs)
		}
		e.publish("catalog", eventMediaDeleted, b, map[string]any{"id": b})
		e.events.wait(t, EventObjectDeleted, b)
		eventually(t, "the unreferenced object is deleted", func() bool { return len(e.objects("content/")) == 0 })
	})
}

func TestPutContentLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], "", func(c *Config) { c.SmallUploadMax = 1000 })
	uid, authz := e.user()
	media := e.catalog.newMedia(KindDocument, "draft", uid)
	big := bytes.Repeat([]byte("a"), 1001)
	body := expectStatus(t, e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", authz, bytes.NewReader(big), nil),
		http.StatusRequestEntityTooLarge)
	if !strings.Contains(string(body), "/v1/uploads") {
		t.Errorf("413 body does not point to tus: %s", body)
	}
	req, _ := http.NewRequest(http.MethodPut, e.url+"/v1/media/"+media+"/content", io.NopCloser(strings.NewReader("# hi\n")))
	req.Header.Set("Authorization", authz)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, resp, http.StatusLengthRequired)
	resp = e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", authz, strings.NewReader("# Notes\n\n- one\n"), nil)
	var view UploadJSON
	_ = json.Unmarshal(expectStatus(t, resp, http.StatusCreated), &view)
	if view.ContentType != TypeMarkdown {
		t.Errorf("content type %q", view.ContentType)
	}
	if files := e.tusFiles(); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestCrashBetweenTusAndRecordIsFinishedOnStart(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindBook, "draft", uid)
		data := makePDF("crash", 1000)
		ctx := context.Background()
		// As if tusd wrote every byte and the process died before finishing:
		// a reservation and complete tus data, nothing recorded.
		resp := e.tusCreate(authz, media, len(data))
		expectStatus(t, resp, http.StatusCreated)
		id := resp.Header.Get("Location")[strings.LastIndex(resp.Header.Get("Location"), "/")+1:]
		up, err := e.svc.tus.store.GetUpload(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := up.WriteChunk(ctx, 0, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		// A fresh start on the same data and store finishes it.
		if err := e.svc.Close(ctx); err != nil {
			t.Fatal(err)
		}
		h2 := moduletest.NewHarness(t, s)
		deps := e.h.Deps
		deps.Mux, deps.API, deps.Metrics = h2.Deps.Mux, h2.Deps.API, h2.Deps.Metrics
		// A minute later: the bytes have settled.
		again, err := newService(ctx, e.svc.cfg, deps, e.svc.access, func() time.Time { return time.Now().Add(time.Minute) })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = again.Close(ctx) })
		eventually(t, "the finished upload is recorded", func() bool {
			u, err := again.store.Current(ctx, media)
			return err == nil && u.SHA256 == sha(data)
		})
		e.events.wait(t, EventUploadCompleted, media)
	})
}
