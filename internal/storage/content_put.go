package storage

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// putContent is PUT /v1/media/{id}/content: a small file in one request.
// The raw body (Content-Length required, at most storage.small_upload_max)
// is streamed to a temporary file while hashed — never held in memory —
// and then finished like a tus upload. Larger files go through tus.
func (s *Service) putContent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, err := uuid.Parse(r.PathValue("id")); err != nil {
		writeError(w, r, errs.NotFoundf("no media item %s", r.PathValue("id")))
		return
	}
	if r.Header.Get("Content-Length") == "" || r.ContentLength < 0 {
		writeProblem(w, r, http.StatusLengthRequired, "length-required",
			"send Content-Length (for a file of unknown length, use tus at /v1/uploads)")
		return
	}
	if r.ContentLength > int64(s.cfg.SmallUploadMax) {
		writeError(w, r, &quotaError{msg: fmt.Sprintf("one-request uploads are limited to %s; upload larger files with tus at %s",
			humanBytes(int64(s.cfg.SmallUploadMax)), tusBase)})
		return
	}
	filename := r.URL.Query().Get("filename")
	if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		filename = params["filename"]
	}
	p, err := s.reserve(ctx, r.PathValue("id"), r.Header.Get("Authorization"), filename, r.ContentLength, sourcePut, time.Hour)
	if err != nil {
		writeError(w, r, err)
		return
	}
	path := filepath.Join(s.tmpDir, p.ID)
	defer func() {
		_ = os.Remove(path)
		// A reservation left behind (an error before finishing) is dropped;
		// finish removes it itself on success and refusal.
		_ = s.abandonUpload(context.WithoutCancel(ctx), p.ID)
	}()
	sum, err := receive(path, &deadlineReader{r: r.Body, rc: http.NewResponseController(w)}, r.ContentLength)
	if err != nil {
		writeError(w, r, err)
		return
	}
	u, err := s.finish(ctx, p, path, sum)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/v1/media/"+u.MediaID+"/content")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(uploadJSON(u))
}

// receive writes exactly size bytes of body to a new file at path and
// returns their sha256.
func receive(path string, body io.Reader, size int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600) //nolint:gosec // path is storage's own upload ID
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, &quotaError{msg: err.Error()}
	case err != nil:
		return nil, errs.Wrap(errs.Invalid, err, "the body could not be read completely")
	case n != size:
		return nil, errs.New(errs.Invalid, "the body has %d bytes but Content-Length said %d", n, size)
	}
	return h.Sum(nil), nil
}

// deadlineReader moves the read deadline with each read of a request body:
// a slow upload that keeps moving is not cut by the server's read timeout,
// a stalled one is.
type deadlineReader struct {
	r  io.Reader
	rc *http.ResponseController
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	_ = d.rc.SetReadDeadline(time.Now().Add(stallTimeout))
	return d.r.Read(p)
}
