package storage

import (
	"bytes"
	"net/http"
	"strings"
)

// problemWriter turns the plain-text errors of code storage does not own
// (tusd, http.ServeContent) into problem documents like every other
// answer: a status of 400 or more written without a problem body is held,
// and finish writes it as application/problem+json with the text as the
// detail.
type problemWriter struct {
	http.ResponseWriter
	r       *http.Request
	status  int // held status, 0 while passing through
	text    bytes.Buffer
	written bool
}

func newProblemWriter(w http.ResponseWriter, r *http.Request) *problemWriter {
	return &problemWriter{ResponseWriter: w, r: r}
}

func (w *problemWriter) WriteHeader(code int) {
	if w.written || w.status != 0 {
		return
	}
	ct := w.Header().Get("Content-Type")
	if code >= 400 && !strings.HasPrefix(ct, "application/problem+json") {
		w.status = code
		return
	}
	w.written = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *problemWriter) Write(b []byte) (int, error) {
	if !w.written && w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.status != 0 {
		if w.text.Len() < 4<<10 {
			w.text.Write(b)
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// finish writes the held error, if any, as a problem document.
func (w *problemWriter) finish() {
	if w.status == 0 {
		return
	}
	status := w.status
	w.status = 0
	h := w.Header()
	h.Del("Content-Length")
	detail := strings.TrimSpace(w.text.String())
	if detail == "" {
		detail = http.StatusText(status)
	}
	writeProblem(w.ResponseWriter, w.r, status, problemType(status), detail)
	w.written = true
}

// problemType names a status as the problem types do ("range-not-satisfiable").
func problemType(status int) string {
	t := strings.ToLower(http.StatusText(status))
	if t == "" {
		return "error"
	}
	return strings.NewReplacer(" ", "-", "'", "").Replace(t)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *problemWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
