package search

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// badRequest is a problem with the query string: search answers 400 for
// any input it cannot use (hostile queries included), never 500.
type badRequest struct {
	fields []httpx.ProblemField
}

func (b *badRequest) Error() string {
	var parts []string
	for _, f := range b.fields {
		parts = append(parts, f.Location+": "+f.Message)
	}
	return strings.Join(parts, "; ")
}

func (b *badRequest) add(name, format string, args ...any) {
	b.fields = append(b.fields, httpx.ProblemField{Field: name, Location: "query." + name, Message: fmt.Sprintf(format, args...)})
}

func (b *badRequest) err() error {
	if len(b.fields) == 0 {
		return nil
	}
	return b
}

func badRequestField(name, format string, args ...any) error {
	b := &badRequest{}
	b.add(name, format, args...)
	return b
}

// problem turns a badRequest into the 400 problem document.
func problem(ctx context.Context, err error) error {
	var b *badRequest
	if !errors.As(err, &b) {
		return err
	}
	return &httpx.Problem{Type: httpx.ProblemTypeBase + "bad-request", Title: http.StatusText(http.StatusBadRequest),
		Status: http.StatusBadRequest, Detail: "the search cannot be run as asked", Errors: b.fields,
		RequestID: telemetry.RequestID(ctx)}
}

func operation(id, method, path, summary string, status int, errors ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{"Search"},
		DefaultStatus: status, Errors: errors}
}

func checkText(b *badRequest, name, value string, maxBytes int) {
	if len(value) > maxBytes {
		b.add(name, "is longer than %d bytes", maxBytes)
		return
	}
	if reason := httpx.TextProblem(value, false); reason != "" {
		b.add(name, "%s", reason)
	}
}

func checkID(b *badRequest, name, value string) {
	if value == "" {
		return
	}
	if _, err := uuid.Parse(value); err != nil || len(value) != 36 {
		b.add(name, "is not a UUID")
	}
}

func parseFloat(b *badRequest, name, value string) *float64 {
	if value == "" {
		return nil
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || !(f >= 0 && f <= 1e9) {
		b.add(name, "is not a number of seconds (0 or more)")
		return nil
	}
	return &f
}

func parseInt(b *badRequest, name, value string, maxValue int) *int {
	if value == "" {
		return nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 || n > maxValue {
		b.add(name, "is not a whole number from 0 to %d", maxValue)
		return nil
	}
	return &n
}

func parseTime(b *badRequest, name, value string) *time.Time {
	if value == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, value); err == nil {
			t = t.UTC()
			return &t
		}
	}
	b.add(name, "is not a date (YYYY-MM-DD) or an RFC 3339 time")
	return nil
}

func fmtPtr[T any](p *T) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
