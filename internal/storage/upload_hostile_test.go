package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestTusRefusesWhatTheUploaderMayNoLongerDo covers uploads that outlive the
// right to make them, and chunks larger than the upload.
func TestTusRefusesWhatTheUploaderMayNoLongerDo(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		uid, authz := e.user()
		media := e.catalog.newMedia(KindBook, "draft", uid)
		data := makePDF("revoked", 64<<10)

		resp := e.tusCreate(authz, media, len(data))
		expectStatus(t, resp, http.StatusCreated)
		location := resp.Header.Get("Location")
		expectStatus(t, e.tusPatch(nil, authz, location, 0, data[:1000], false), http.StatusNoContent)

		// A chunk longer than what remains is refused before it is kept.
		expectStatus(t, e.tusPatch(nil, authz, location, 1000, append(bytes.Clone(data[1000:]), make([]byte, 4096)...), true),
			http.StatusUnprocessableEntity)

		// The uploader leaves the author: the rest of the upload is refused
		// (the draft is no longer theirs to see: 404), and the item keeps no
		// file from them.
		e.catalog.setMembers(media)
		expectStatus(t, e.tusPatch(nil, authz, location, 1000, data[1000:], false), http.StatusNotFound)
		if objs := e.objects("content/"); len(objs) != 0 {
			t.Fatalf("objects stored from a revoked upload: %v", objs)
		}

		// A checksum on creation is refused: data comes with PATCH.
		e.catalog.setMembers(media, uid)
		sum := sha256.Sum256(data)
		expectStatus(t, e.do(nil, http.MethodPost, "/v1/uploads", authz, bytes.NewReader(data), map[string]string{
			"Tus-Resumable": "1.0.0", "Upload-Length": itoa(int64(len(data))), "Upload-Metadata": tusMeta("media_id", media),
			"Content-Type": "application/offset+octet-stream", "Upload-Checksum": "sha256 " + base64.StdEncoding.EncodeToString(sum[:]),
		}), http.StatusUnprocessableEntity)

		// Path tricks and NUL bytes in IDs and names are plain 404s.
		expectStatus(t, e.do(nil, http.MethodHead, "/v1/uploads/x%00", authz, nil, map[string]string{"Tus-Resumable": "1.0.0"}),
			http.StatusNotFound)
		expectStatus(t, e.do(nil, http.MethodGet, "/v1/media/"+media+"/derivatives/text.txt%00", authz, nil, nil),
			http.StatusNotFound)
	})
}
