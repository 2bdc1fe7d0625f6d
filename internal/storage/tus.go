package storage

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// tus 1.0 resumable uploads at /v1/uploads (tusd as a library). The bytes
// of an upload in progress are kept in the shared object store under
// uploads/tus/ (tus_blobstore.go), named by an ID storage chooses (a UUID)
// — never by anything the client sends — and a lock in the storage
// database (tus_lock.go) lets one request at a time write an upload: any
// replica may take any request of an upload. What tusd does not do itself
// is wrapped around it here:
//   - authentication and ownership: only the user who created an upload may
//     resume, inspect or terminate it;
//   - the checksum extension (Upload-Checksum, sha256): a chunk is written
//     only when its digest matches, else 460 and nothing of it is kept;
//   - the expiration extension (Upload-Expires): unfinished uploads are
//     dropped by the sweeper after storage.upload_expiry.
// Creation checks catalog access, the kind's size limit and the quota
// before any byte is kept; completion runs finish (sniff, hash, store,
// record) before the final PATCH is answered.

const tusBase = "/v1/uploads"

// tusUploads is the tusd side of the service.
type tusUploads struct {
	handler *tusd.Handler
	store   *blobUploads
	tmpDir  string
}

func (s *Service) newTus() (*tusUploads, error) {
	store := &blobUploads{bucket: s.bucket, log: s.log, createFailed: func(ctx context.Context, id string) {
		_ = s.abandonUpload(context.WithoutCancel(ctx), id)
	}}
	composer := tusd.NewStoreComposer()
	// Core and termination only: no deferred length (the size limit and
	// quota need Upload-Length up front) and no concatenation.
	composer.UseCore(store)
	composer.UseTerminater(store)
	(&dbLocker{store: s.store, log: s.log, lease: 30 * time.Second, renew: time.Second}).UseIn(composer)
	// Location is the public URL's when configured, else the request's
	// Host; forwarded headers only when the operator trusts a proxy.
	base := tusBase + "/"
	if s.publicURL != "" {
		base = s.publicURL + base
	}
	h, err := tusd.NewHandler(tusd.Config{
		StoreComposer:              composer,
		BasePath:                   base,
		MaxSize:                    s.cfg.largest(),
		DisableDownload:            true,
		DisableConcatenation:       true,
		RespectForwardedHeaders:    s.trustForwarded,
		Cors:                       &tusd.CorsConfig{Disable: true},
		Logger:                     expslog.New(warnOnly{h: s.log.Handler()}),
		PreUploadCreateCallback:    s.tusCreate,
		PreFinishResponseCallback:  s.tusFinish,
		PreUploadTerminateCallback: s.tusTerminate,
	})
	if err != nil {
		return nil, fmt.Errorf("tus handler: %w", err)
	}
	return &tusUploads{handler: h, store: store, tmpDir: s.tmpDir}, nil
}

// local copies the bytes of upload id into a temporary file, for finish,
// and returns its path, the bytes' sha256 and a function removing it.
func (t *tusUploads) local(ctx context.Context, id string) (string, []byte, func(), error) {
	up, err := t.store.GetUpload(ctx, id)
	if err != nil {
		return "", nil, nil, err
	}
	r, err := up.GetReader(ctx)
	if err != nil {
		return "", nil, nil, err
	}
	defer r.Close()
	f, err := os.CreateTemp(t.tmpDir, "tus-*")
	if err != nil {
		return "", nil, nil, err
	}
	remove := func() { _ = os.Remove(f.Name()) }
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nil, nil, errs.Wrap(errs.Unavailable, err, "the object store cannot be reached; the upload is kept and retried")
	}
	return f.Name(), h.Sum(nil), remove, nil
}

// finishTus finishes upload p from the bytes tusd holds.
func (s *Service) finishTus(ctx context.Context, p pendingUpload) (upload, error) {
	path, sum, remove, err := s.tus.local(ctx, p.ID)
	if err != nil {
		return upload{}, err
	}
	defer remove()
	return s.finish(ctx, p, path, sum)
}

// drop deletes an upload's bytes and tusd's record of it.
func (t *tusUploads) drop(ctx context.Context, id string) {
	if _, err := uuid.Parse(id); err != nil {
		return
	}
	up, err := t.store.GetUpload(ctx, id)
	if err != nil {
		return
	}
	_ = t.store.AsTerminatableUpload(up).Terminate(ctx)
}

// offset is how many bytes of upload id tusd holds.
func (t *tusUploads) offset(ctx context.Context, id string) (int64, bool) {
	up, err := t.store.GetUpload(ctx, id)
	if err != nil {
		return 0, false
	}
	info, err := up.GetInfo(ctx)
	return info.Offset, err == nil
}

// complete reports whether tusd holds all the bytes of upload id.
func (t *tusUploads) complete(ctx context.Context, id string) bool {
	up, err := t.store.GetUpload(ctx, id)
	if err != nil {
		return false
	}
	info, err := up.GetInfo(ctx)
	return err == nil && !info.SizeIsDeferred && info.Size > 0 && info.Offset == info.Size
}

// serveTus authenticates, checks ownership and expiry, verifies checksums
// and hands the request to tusd.
func (s *Service) serveTus(w http.ResponseWriter, r *http.Request) {
	pw := newProblemWriter(w, r)
	defer pw.finish()
	w = &tusWriter{ResponseWriter: pw}
	// A PATCH may carry gigabytes and its finish (hash, store) takes a
	// while: the server's write timeout, counted from the request's start,
	// must not cut the answer. tusd bounds each body read (NetworkTimeout),
	// so a dead client is still dropped.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	if r.Method == http.MethodOptions {
		http.StripPrefix(tusBase, s.tus.handler).ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	p, ok := auth.FromContext(ctx)
	if !ok {
		writeError(w, r, errs.Unauthenticatedf("sign in to upload: send Authorization: Bearer <access token>"))
		return
	}
	// The most a chunk may carry: what remains of this upload (PATCH).
	var remaining int64
	if id := strings.Trim(strings.TrimPrefix(r.URL.Path, tusBase), "/"); id != "" {
		if _, err := uuid.Parse(id); err != nil {
			writeError(w, r, errs.NotFoundf("no upload %s in progress", id))
			return
		}
		up, err := s.tusUploadOf(ctx, id, p.UserID)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if !s.now().Before(up.ExpiresAt) {
			writeProblem(w, r, http.StatusGone, "gone", "the upload expired unfinished; start a new one")
			return
		}
		if r.Method == http.MethodPatch {
			// Membership may have ended since the upload began: ask again
			// before taking more bytes (and before the last chunk finishes it).
			a, err := s.access.Access(ctx, up.MediaID, r.Header.Get("Authorization"))
			if err == nil && !a.CanEdit {
				err = errs.Forbiddenf("you may no longer upload this media item's file")
			}
			if err != nil {
				writeError(w, r, err)
				return
			}
			// The offset is checked before any byte of the body is read
			// (tusd would only check it after a checksummed chunk is spooled).
			// A chunk refused unread ends the connection: the server would
			// otherwise read (and drop) its body to reuse it.
			w.Header().Set("Connection", "close")
			offset, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
			if err != nil || offset < 0 {
				writeError(w, r, errs.InvalidField("header.Upload-Offset", "must be the upload's current offset, a whole number of bytes"))
				return
			}
			if current, ok := s.tus.offset(ctx, id); ok && current != offset {
				writeProblem(w, r, http.StatusConflict, "conflict",
					fmt.Sprintf("Upload-Offset is %d but the upload has %d bytes: HEAD it and resume from there", offset, current))
				return
			}
			remaining = max(up.Size-offset, 0)
			if r.ContentLength > remaining {
				writeError(w, r, errs.New(errs.Invalid, "the chunk is longer than what remains of the upload (%d bytes)", remaining))
				return
			}
			if r.Header.Get("Upload-Checksum") == "" {
				w.Header().Del("Connection")
			}
		}
		w.Header().Set("Upload-Expires", up.ExpiresAt.UTC().Format(http.TimeFormat))
	}
	if sum := r.Header.Get("Upload-Checksum"); sum != "" && r.Method == http.MethodPost {
		// Creation is authorised by tusd's hook, after the body would have
		// been spooled: take data with a checksum only on PATCH.
		writeError(w, r, errs.InvalidField("header.Upload-Checksum", "send the data, with its checksum, in PATCH requests after creating the upload"))
		return
	}
	if r.Method == http.MethodPost && r.Header.Get("Upload-Defer-Length") != "" {
		// tusd would answer 501: deferred length is not offered (the size
		// limit and the quota need Upload-Length up front).
		writeProblem(w, r, http.StatusBadRequest, "bad-request", "header Upload-Defer-Length is not supported: send Upload-Length with the file's size")
		return
	}
	if sum := r.Header.Get("Upload-Checksum"); sum != "" && r.Method == http.MethodPatch {
		release, err := s.spoolSlot(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		defer release()
		w.Header().Del("Connection")
		cleanup, err := s.verifyChunk(r, sum, remaining)
		if cleanup != nil {
			defer cleanup()
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
	}
	http.StripPrefix(tusBase, s.tus.handler).ServeHTTP(w, r)
}

// tusCreate authorises a new upload and reserves its size against the
// quota before tusd keeps anything. The upload's ID is storage's own.
func (s *Service) tusCreate(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	ctx := hook.Context
	meta := hook.Upload.MetaData
	if hook.Upload.SizeIsDeferred {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(ctx, http.StatusBadRequest, "bad-request",
			"Upload-Length is required: the size limit and quota are checked before the upload starts")
	}
	p, err := s.reserve(ctx, meta["media_id"], hook.HTTPRequest.Header.Get("Authorization"), meta["filename"],
		hook.Upload.Size, sourceTus, s.cfg.UploadExpiry)
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusErrorFor(ctx, err)
	}
	return tusd.HTTPResponse{Header: tusd.HTTPHeader{"Upload-Expires": p.ExpiresAt.UTC().Format(http.TimeFormat)}},
		tusd.FileInfoChanges{ID: p.ID, MetaData: tusd.MetaData{"media_id": p.MediaID, "filename": p.Filename}}, nil
}

// tusFinish runs when the last byte of an upload is written, before the
// final PATCH is answered: the client learns whether its file was taken.
func (s *Service) tusFinish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	// Finishing outlives a client that hangs up after its last byte.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(hook.Context), 30*time.Minute)
	defer cancel()
	id := hook.Upload.ID
	p, err := s.uploadInProgress(ctx, id)
	if err != nil {
		return s.finishedElsewhere(ctx, hook.Context, id, err)
	}
	u, err := s.finishTus(ctx, p)
	var refusal *Refusal
	switch {
	case err == nil:
		s.tus.drop(ctx, id)
		return tusd.HTTPResponse{Header: tusd.HTTPHeader{"X-Content-SHA256": u.SHA256}}, nil
	case errors.As(err, &refusal):
		s.tus.drop(ctx, id)
		return tusd.HTTPResponse{}, tusError(hook.Context, http.StatusUnsupportedMediaType, "unsupported-media-type", refusal.Reason)
	case errors.Is(err, errBusy), errors.Is(err, errs.ErrNotFound):
		return s.finishedElsewhere(ctx, hook.Context, id, err)
	}
	// Kept: the sweeper finishes it when the store is back.
	return tusd.HTTPResponse{}, tusErrorFor(hook.Context, err)
}

// finishedElsewhere answers a final PATCH whose upload another request or
// the sweeper finished (or is finishing): wait a little for the outcome.
func (s *Service) finishedElsewhere(ctx, reqCtx context.Context, id string, cause error) (tusd.HTTPResponse, error) {
	for range 50 {
		if _, busy := s.finishing.Load(id); !busy {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if u, err := s.recordedUpload(ctx, id); err == nil {
		return tusd.HTTPResponse{Header: tusd.HTTPHeader{"X-Content-SHA256": u.SHA256}}, nil
	}
	return tusd.HTTPResponse{}, tusErrorFor(reqCtx, cause)
}

// tusTerminate drops the reservation of an upload its owner terminates.
func (s *Service) tusTerminate(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	if err := s.abandonUpload(hook.Context, hook.Upload.ID); err != nil {
		return tusd.HTTPResponse{}, tusErrorFor(hook.Context, err)
	}
	return tusd.HTTPResponse{}, nil
}

// tusErrorFor turns an error into a tusd error carrying a problem document.
func tusErrorFor(ctx context.Context, err error) tusd.Error {
	status, typ, detail := classify(ctx, err)
	return tusError(ctx, status, typ, detail)
}

func tusError(ctx context.Context, status int, typ, detail string) tusd.Error {
	p := httpx.Problem{Type: httpx.ProblemTypeBase + typ, Title: http.StatusText(status), Status: status, Detail: detail,
		RequestID: telemetry.RequestID(ctx)}
	if status == 460 {
		p.Title = "Checksum Mismatch"
	}
	body, _ := json.Marshal(p)
	return tusd.Error{ErrorCode: typ, Message: detail, HTTPResponse: tusd.HTTPResponse{
		StatusCode: status, Body: string(body) + "\n", Header: tusd.HTTPHeader{"Content-Type": "application/problem+json"}}}
}

// tusWriter advertises the extensions implemented around tusd.
type tusWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *tusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		h := w.Header()
		if ext := h.Get("Tus-Extension"); ext != "" {
			h.Set("Tus-Extension", ext+",checksum,expiration")
			h.Set("Tus-Checksum-Algorithm", "sha256")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *tusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets tusd's http.ResponseController reach the connection.
func (w *tusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// warnOnly forwards tusd's warnings and errors (tusd logs through
// golang.org/x/exp/slog) to the service's logger, and drops its
// per-request info logs: the edge middleware logs every request once.
type warnOnly struct {
	h     slog.Handler
	attrs []slog.Attr
}

func (w warnOnly) Enabled(ctx context.Context, l expslog.Level) bool {
	return l >= expslog.LevelWarn && w.h.Enabled(ctx, slog.Level(l))
}

func (w warnOnly) Handle(ctx context.Context, r expslog.Record) error {
	rec := slog.NewRecord(r.Time, slog.Level(r.Level), "tusd: "+r.Message, r.PC)
	rec.AddAttrs(w.attrs...)
	r.Attrs(func(a expslog.Attr) bool {
		rec.AddAttrs(slog.Any(a.Key, a.Value.Any()))
		return true
	})
	return w.h.Handle(ctx, rec)
}

func (w warnOnly) WithAttrs(as []expslog.Attr) expslog.Handler {
	out := warnOnly{h: w.h, attrs: append([]slog.Attr(nil), w.attrs...)}
	for _, a := range as {
		out.attrs = append(out.attrs, slog.Any(a.Key, a.Value.Any()))
	}
	return out
}

func (w warnOnly) WithGroup(string) expslog.Handler { return w }
