package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// errChecksum is a chunk whose bytes do not match its Upload-Checksum.
type errChecksum struct{}

func (errChecksum) Error() string {
	return "the chunk does not match its Upload-Checksum; nothing of it was kept, send it again"
}

// maxSpooling is how many checksummed chunks are spooled to disk at once
// in this process; more are answered 503 with Retry-After. One upload
// spools one chunk at a time (423 otherwise), as tusd writes one.
const maxSpooling = 8

// spoolSlot takes a place among the chunks being spooled, for the upload
// the request names; release gives it back.
func (s *Service) spoolSlot(r *http.Request) (release func(), err error) {
	id := strings.Trim(strings.TrimPrefix(r.URL.Path, tusBase), "/")
	if _, busy := s.spooling.LoadOrStore(id, struct{}{}); busy {
		return nil, &lockedError{}
	}
	select {
	case s.spoolSlots <- struct{}{}:
		return func() {
			<-s.spoolSlots
			s.spooling.Delete(id)
		}, nil
	default:
		s.spooling.Delete(id)
		busy := errs.New(errs.Unavailable, "too many uploads are being received; try again in a second")
		busy.RetryAfterSeconds = 1
		return nil, busy
	}
}

// lockedError is a chunk sent while another of the same upload is being
// received (423, as tusd answers a locked upload).
type lockedError struct{}

func (*lockedError) Error() string {
	return "another chunk of this upload is being received; send the next one when it is answered"
}

// verifyChunk implements the tus checksum extension for one request: the
// body is spooled to a temporary file while hashed, and replaces the
// request body only when its sha256 matches the header ("sha256 <base64>").
// tusd then writes a chunk known to be intact; a mismatch keeps nothing.
// cleanup removes the spool file once the request is served.
func (s *Service) verifyChunk(r *http.Request, header string, remaining int64) (cleanup func(), err error) {
	algo, enc, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(algo, "sha256") {
		return nil, errs.InvalidField("header.Upload-Checksum", "use \"sha256 <base64 digest>\" (the only algorithm supported)")
	}
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil || len(want) != sha256.Size {
		return nil, errs.InvalidField("header.Upload-Checksum", "the digest is not a base64 sha256")
	}
	f, err := os.CreateTemp(s.tmpDir, "chunk-*")
	if err != nil {
		return nil, err
	}
	cleanup = func() {
		_ = f.Close()
		_ = os.Remove(filepath.Clean(f.Name()))
	}
	h := sha256.New()
	// Spool no more than what remains of the upload: a longer chunk is
	// refused without being kept.
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r.Body, remaining+1))
	if err != nil {
		return cleanup, errs.Wrap(errs.Invalid, err, "the chunk could not be read completely")
	}
	if n > remaining {
		return cleanup, errs.New(errs.Invalid, "the chunk is longer than what remains of the upload (%d bytes)", remaining)
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return cleanup, errChecksum{}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return cleanup, err
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(f)
	r.ContentLength = n
	r.Header.Set("Content-Length", itoa(n))
	return cleanup, nil
}
