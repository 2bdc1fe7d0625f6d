package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	gcblob "gocloud.dev/blob"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// served is an object a download answers with.
type served struct {
	key, contentType, etag, disposition string
	// cache overrides the Cache-Control of a public (cache) or private
	// (cachePrivate) answer; "" keeps the defaults.
	cache, cachePrivate string
	size                int64
	modified            time.Time
}

// getContent is GET/HEAD /v1/media/{id}/content: the media item's current
// file, with ranges and conditional requests.
func (s *Service) getContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	public, err := s.authorizeDownload(r, id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	u, err := s.currentFile(r.Context(), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	s.serve(w, r, public, "content", served{
		key: u.ObjectKey, contentType: u.ContentType, etag: `"` + u.SHA256 + `"`, size: u.Size, modified: u.CompletedAt,
		disposition: contentDisposition(u.Filename, u.MediaID, u.ContentType),
	})
}

// getDerivative is GET/HEAD /v1/media/{id}/derivatives/{name}.
func (s *Service) getDerivative(w http.ResponseWriter, r *http.Request) {
	id, name := r.PathValue("id"), r.PathValue("name")
	public, err := s.authorizeDownload(r, id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	s.serveDerivative(w, r, public, id, name)
}

// getSignedDerivative is GET/HEAD
// /v1/media/{id}/signed/{link}/{expires}/{sig}/{name}: a derivative through
// a signed link whose signature covers every derivative of the item. The
// link is in the path, not the query, so that the relative URIs of an HLS
// playlist (its media playlists and segments) resolve under the same link.
func (s *Service) getSignedDerivative(w http.ResponseWriter, r *http.Request) {
	id, name := r.PathValue("id"), r.PathValue("name")
	if _, err := uuid.Parse(id); err != nil {
		writeError(w, r, errs.NotFoundf("no media item %s", id))
		return
	}
	if err := s.authorizeLinkScope(r, id, derivativesScope(id), r.PathValue("link"), r.PathValue("expires"), r.PathValue("sig")); err != nil {
		writeError(w, r, err)
		return
	}
	s.serveDerivative(w, r, false, id, name)
}

// derivativesScope is what a signed link to all of an item's derivatives
// signs; no request path is ever equal to it, so a content link's
// signature never opens the derivatives and the other way round.
func derivativesScope(id string) string { return "/v1/media/" + id + "/derivatives/" }

// serveDerivative answers with the derivative name of item id. HLS
// segments, storyboard sheets and media playlists carry the original's
// sha256 in their names, so their bytes never change: immutable. The
// master playlist (hls.m3u8) and the other names are kept briefly.
func (s *Service) serveDerivative(w http.ResponseWriter, r *http.Request, public bool, id, name string) {
	d, err := s.derivativeFile(r.Context(), id, name)
	if err != nil {
		writeError(w, r, err)
		return
	}
	var cache, cachePrivate string
	switch {
	case d.Kind == "rendition_segment" || (d.Kind == "storyboard" && strings.HasSuffix(name, ".jpg")):
		cache, cachePrivate = "public, max-age=31536000, immutable", "private, max-age=86400, immutable"
	case d.Kind == "rendition":
		cache = "public, max-age=30"
	}
	// Derivative keys carry the source's sha256 and the name; the size and
	// the time it was recorded tell a regenerated one apart.
	tag := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d", d.ObjectKey, d.Size, d.CreatedAt.UnixMicro()))
	s.serve(w, r, public, "derivative", served{
		key: d.ObjectKey, contentType: d.ContentType, etag: `"d-` + hex.EncodeToString(tag[:16]) + `"`, size: d.Size,
		modified: d.CreatedAt, disposition: contentDisposition(path.Base(d.ObjectKey), "", d.ContentType),
		cache: cache, cachePrivate: cachePrivate,
	})
}

// authorizeDownload lets a request with a valid signed link through, or
// asks catalog whether the caller may view the item. It reports whether
// the item is published (publicly cacheable).
func (s *Service) authorizeDownload(r *http.Request, id string) (bool, error) {
	if _, err := uuid.Parse(id); err != nil {
		return false, errs.NotFoundf("no media item %s", id)
	}
	q := r.URL.Query()
	if q.Has("sig") || q.Has("expires") || q.Has("link") {
		return false, s.authorizeLink(r, id, q)
	}
	authorization := r.Header.Get("Authorization")
	a, err := s.downloads.Access(r.Context(), id, authorization)
	if err != nil {
		return false, err
	}
	if !a.CanView {
		if authorization == "" {
			return false, errs.Unauthenticatedf("media item %s is not published: sign in, or use a signed link", id)
		}
		return false, errs.Forbiddenf("you may not view media item %s", id)
	}
	return a.Published(), nil
}

// authorizeLink checks a signed link: its signature and expiry, its
// record (not revoked), and then, asking catalog each time, the item as
// it is now (not removed) and its creator's rights (for an item that is
// not public, still a member, not suspended).
func (s *Service) authorizeLink(r *http.Request, id string, q url.Values) error {
	return s.authorizeLinkScope(r, id, r.URL.Path, q.Get("link"), q.Get("expires"), q.Get("sig"))
}

// authorizeLinkScope checks a link signed over scope (a request path, or
// an item's derivatives), as authorizeLink says.
func (s *Service) authorizeLinkScope(r *http.Request, id, scope, linkID, expires, sig string) error {
	if err := s.links.verify(scope, linkID, expires, sig, s.now()); err != nil {
		return err
	}
	l, err := s.linkRecord(r.Context(), id, linkID)
	if errs.KindOf(err) == errs.NotFound {
		return errs.Forbiddenf("this download link is not valid")
	}
	if err != nil {
		return err
	}
	if l.RevokedAt != nil {
		return &goneError{msg: "this download link was revoked"}
	}
	// A link is a grant to people without an account of their own, so it is
	// checked against catalog's current state on every use, never a cached
	// answer: removing the item or the creator's rights ends it at once.
	a, err := s.access.AccessFor(r.Context(), id, l.CreatedBy)
	if err != nil {
		return err
	}
	if a.Removed() {
		return &goneError{msg: "media item " + id + " was removed"}
	}
	if !a.Public && !a.CanEdit {
		return errs.NotFoundf("no media item %s", id)
	}
	return nil
}

// serve answers with the object: a redirect to a presigned store URL when
// configured, else its bytes through http.ServeContent (Range, If-Range,
// If-None-Match, If-Modified-Since, HEAD) reading only the requested ranges.
func (s *Service) serve(w http.ResponseWriter, r *http.Request, public bool, what string, o served) {
	h := w.Header()
	switch {
	case public && o.cache != "":
		h.Set("Cache-Control", o.cache)
	case public:
		h.Set("Cache-Control", "public, max-age=3600")
	case o.cachePrivate != "":
		h.Set("Cache-Control", o.cachePrivate)
	default:
		h.Set("Cache-Control", "private, no-store")
	}
	h.Set("Vary", "Authorization")
	if s.presign && s.bucket.Remote {
		u, err := s.bucket.SignedURL(r.Context(), o.key, &gcblob.SignedURLOptions{Expiry: s.cfg.PresignTTL, Method: http.MethodGet})
		if err != nil {
			writeError(w, r, errs.Wrap(errs.Unavailable, err, "the object store could not sign a download URL"))
			return
		}
		h.Set("Cache-Control", "private, no-store")
		http.Redirect(w, r, u, http.StatusFound)
		return
	}
	h.Set("ETag", o.etag)
	h.Set("Content-Type", o.contentType)
	h.Set("Content-Disposition", o.disposition)
	h.Set("Accept-Ranges", "bytes")
	h.Set("X-Content-Type-Options", "nosniff")
	if rh := r.Header.Get("Range"); rh != "" {
		norm, err := normaliseRange(rh, o.size)
		switch {
		case !ifRangeMatches(r.Header.Get("If-Range"), o.etag, o.modified):
			// A stale If-Range: the whole object, whatever the ranges.
			r.Header.Del("Range")
		case err != nil:
			h.Set("Content-Range", "bytes */"+itoa(o.size))
			writeProblem(w, r, http.StatusRequestedRangeNotSatisfiable, "range-not-satisfiable", err.Error())
			return
		case norm == "":
			r.Header.Del("Range")
		default:
			r.Header.Set("Range", norm)
		}
	}
	body := newObjectReader(r.Context(), s.bucket, o.key, o.size, r.Header.Get("Range"))
	defer body.Close()
	pw := newProblemWriter(w, r)
	defer pw.finish()
	cw := &countingWriter{ResponseWriter: pw}
	http.ServeContent(cw, r, "", o.modified, body)
	s.metrics.downloadBytes.WithLabelValues(what).Add(float64(cw.n))
}

// countingWriter counts the body bytes of a response and moves the write
// deadline with each write: a long download that keeps moving is not cut
// by the server's write timeout, a stalled one is.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

// stallTimeout is how long one write of a download (or one read of an
// upload body) may block.
const stallTimeout = time.Minute

func (w *countingWriter) Write(b []byte) (int, error) {
	_ = http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(stallTimeout))
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// copyBuffers are the buffers of ReadFrom: http.ServeContent copies with
// io.Copy, whose 32 KiB buffer costs a store read, a socket write and a
// deadline update per 32 KiB; 256 KiB makes a 1 MiB range four of each.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// ReadFrom copies r with a large pooled buffer.
func (w *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	return io.CopyBuffer(writeOnly{w}, r, *bp)
}

// writeOnly hides everything but Write (io.CopyBuffer would call ReadFrom
// again).
type writeOnly struct{ w io.Writer }

func (w writeOnly) Write(b []byte) (int, error) { return w.w.Write(b) }
