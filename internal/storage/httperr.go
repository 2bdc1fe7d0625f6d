package storage

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"syscall"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// The routes outside huma (tus, raw uploads, downloads) answer with the
// same problem documents as every other endpoint; these are the statuses
// errs has no kind for.

// classify maps an error to a status, problem type suffix and detail.
func classify(ctx context.Context, err error) (int, string, string) {
	var quota *quotaError
	var refusal *Refusal
	switch {
	case storageFull(err):
		return http.StatusInsufficientStorage, "insufficient-storage", storageFullDetail
	case errors.As(err, &quota):
		return http.StatusRequestEntityTooLarge, "body-too-large", quota.msg
	case errors.As(err, &refusal):
		return http.StatusUnsupportedMediaType, "unsupported-media-type", refusal.Reason
	case errors.As(err, new(errChecksum)):
		return 460, "checksum-mismatch", err.Error()
	}
	p := httpx.ProblemOf(ctx, err)
	detail := p.Detail
	for _, f := range p.Errors {
		detail += "; " + f.Message
	}
	return p.Status, typeSuffix(p.Type), detail
}

// storageFull reports a write that failed because the file system under
// the blob store (or the upload directory) is full or over its quota: the
// server's condition, answered 507 Insufficient Storage, not a 500 or a
// 503 that promises a quick retry.
func storageFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

const storageFullDetail = "the file store is full: the upload was not kept; try again later"

func typeSuffix(t string) string {
	if len(t) > len(httpx.ProblemTypeBase) {
		return t[len(httpx.ProblemTypeBase):]
	}
	return "internal"
}

// goneError is a download that worked once and never will again: a
// revoked link, a removed item (410).
type goneError struct{ msg string }

func (e *goneError) Error() string { return e.msg }

// writeError answers err as a problem document.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var gone *goneError
	if errors.As(err, &gone) {
		writeProblem(w, r, http.StatusGone, "gone", gone.msg)
		return
	}
	if errors.As(err, new(*lockedError)) {
		writeProblem(w, r, http.StatusLocked, "locked", err.Error())
		return
	}
	var quota *quotaError
	var refusal *Refusal
	if storageFull(err) || errors.As(err, &quota) || errors.As(err, &refusal) || errors.As(err, new(errChecksum)) {
		status, typ, detail := classify(r.Context(), err)
		writeProblem(w, r, status, typ, detail)
		return
	}
	if errs.KindOf(err) == errs.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="alexandria"`)
	}
	httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
}

// writeProblem answers a problem of a status errs has no kind for.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, typ, detail string) {
	title := http.StatusText(status)
	if status == 460 {
		title = "Checksum Mismatch"
	}
	httpx.WriteProblem(w, r, &httpx.Problem{Type: httpx.ProblemTypeBase + typ, Title: title, Status: status, Detail: detail})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
