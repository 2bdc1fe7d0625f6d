package httpx

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// ProblemTypeBase prefixes every problem type; the suffix is the error kind.
// The URIs are stable identifiers documented in docs/api.md, not links.
const ProblemTypeBase = "urn:alexandria:problem:"

// Problem is the RFC 9457 problem document every endpoint answers errors with.
type Problem struct {
	Type      string         `json:"type" doc:"Stable identifier of the problem kind, e.g. urn:alexandria:problem:not-found"`
	Title     string         `json:"title" doc:"Short summary of the problem kind"`
	Status    int            `json:"status" doc:"HTTP status code"`
	Detail    string         `json:"detail,omitempty" doc:"What went wrong in this occurrence"`
	Instance  string         `json:"instance,omitempty" doc:"The request path"`
	RequestID string         `json:"request_id,omitempty" doc:"Quote this when reporting a problem"`
	Errors    []ProblemField `json:"errors,omitempty" doc:"One entry per offending input"`
}

// ProblemField names one invalid input.
type ProblemField struct {
	Field    string `json:"field,omitempty" doc:"Name of the offending field, e.g. email"`
	Location string `json:"location,omitempty" doc:"Where it was found, e.g. body.email, query.page_size, header.If-Match"`
	Message  string `json:"message" doc:"What is wrong with it"`
}

// Error returns the detail; a Problem travels through huma as an error.
func (p *Problem) Error() string { return p.Detail }

// GetStatus tells huma which status code to send.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" || ct == "" {
		return "application/problem+json"
	}
	return ct
}

var kindStatus = map[errs.Kind]int{
	errs.Internal:           http.StatusInternalServerError,
	errs.NotFound:           http.StatusNotFound,
	errs.Invalid:            http.StatusUnprocessableEntity,
	errs.Conflict:           http.StatusConflict,
	errs.Unauthenticated:    http.StatusUnauthorized,
	errs.Forbidden:          http.StatusForbidden,
	errs.Unavailable:        http.StatusServiceUnavailable,
	errs.PreconditionFailed: http.StatusPreconditionFailed,
	errs.TooManyRequests:    http.StatusTooManyRequests,
}

func kindForStatus(status int) errs.Kind {
	for k, s := range kindStatus {
		if s == status {
			return k
		}
	}
	switch {
	case status == http.StatusBadRequest:
		return errs.Invalid
	case status >= 500:
		return errs.Internal
	}
	return errs.Invalid
}

func problemType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return ProblemTypeBase + "bad-request"
	case http.StatusRequestEntityTooLarge:
		return ProblemTypeBase + "body-too-large"
	case http.StatusUnsupportedMediaType:
		return ProblemTypeBase + "unsupported-media-type"
	case http.StatusMethodNotAllowed:
		return ProblemTypeBase + "method-not-allowed"
	case http.StatusNotAcceptable:
		return ProblemTypeBase + "not-acceptable"
	case http.StatusPreconditionRequired:
		return ProblemTypeBase + "precondition-required"
	case StatusClientClosed:
		return ProblemTypeBase + "client-closed-request"
	}
	return ProblemTypeBase + kindForStatus(status).String()
}

// toProblem is the one place where errors become problem documents: huma
// calls it for its own validation failures and for every error a handler
// returns that is not already a Problem.
func toProblem(ctx context.Context, status int, msg string, list ...error) *Problem {
	p := &Problem{Status: status, Detail: msg}
	for _, err := range list {
		if err == nil {
			continue
		}
		var classified *errs.Error
		var hd *huma.ErrorDetail
		switch {
		case errors.As(err, &classified):
			p.Status = kindStatus[classified.Kind]
			if classified.Kind == errs.Internal {
				logInternal(ctx, err)
				p.Detail = "internal error"
				if ClientGone(ctx) {
					p.Status, p.Detail = StatusClientClosed, "the client closed the request"
				}
				continue
			}
			p.Detail = classified.Message
			for _, f := range classified.Fields {
				// Field names default to the body; "query.x", "path.x" and
				// "header.x" name other locations.
				loc := f.Name
				if fieldOf(loc) == loc {
					loc = "body." + loc
				}
				p.Errors = append(p.Errors, ProblemField{Field: fieldOf(loc), Location: loc, Message: f.Message})
			}
		case errors.As(err, &hd):
			loc, msg := hd.Location, hd.Message
			// strictJSON's findings arrive as "body.title: must be ...".
			if l, rest, ok := splitJSONFieldError(msg); ok && loc == "body" {
				loc, msg = l, rest
			}
			// huma reports a missing property at the parent's location;
			// name the property itself so clients can point at the field.
			if m := missingProperty.FindStringSubmatch(hd.Message); m != nil {
				loc += "." + m[1]
			}
			p.Errors = append(p.Errors, ProblemField{Field: fieldOf(loc), Location: loc, Message: msg})
		case bodyReadError(ctx, err) != nil:
			// The client sent a body that cannot be read (a malformed
			// chunked encoding, a connection cut mid-body): its fault.
			p.Status = http.StatusBadRequest
			p.Detail = "the request body could not be read"
			p.Errors = append(p.Errors, ProblemField{Location: "body", Message: bodyReadError(ctx, err).Error()})
		case status >= 500 && ClientGone(ctx):
			// The client closed the request: what failed is the work it
			// abandoned (a query cancelled with its context), not the
			// server. Recorded as 499, below ERROR (logInternal).
			logInternal(ctx, err)
			p.Status = StatusClientClosed
			p.Detail = "the client closed the request"
		case status >= 500 && DependencyUnavailable(err):
			// The database (or another dependency) cannot be reached: the
			// request did nothing and may be retried once it is back. The
			// edge adds Retry-After to every 503.
			logInternal(ctx, err)
			p.Status = http.StatusServiceUnavailable
			p.Detail = "temporarily unavailable: a service this request needs cannot be reached; retry later"
		case status >= 500:
			// A plain error reaching the edge is a bug or an outage: log it
			// with the request, never show it to the caller.
			logInternal(ctx, err)
			p.Detail = "internal error"
		default:
			p.Errors = append(p.Errors, ProblemField{Message: err.Error()})
		}
	}
	// huma says "validation failed" for every body it cannot use; say why.
	if p.Detail == "validation failed" {
		switch p.Status {
		case http.StatusBadRequest:
			p.Detail = "the request body is not valid JSON"
		case http.StatusUnsupportedMediaType:
			p.Detail = "unsupported Content-Type: send application/json"
		}
	}
	p.Type = problemType(p.Status)
	p.Title = statusText(p.Status)
	if p.Detail == "" {
		p.Detail = p.Title
	}
	p.RequestID = telemetry.RequestID(ctx)
	return p
}

// DependencyUnavailable reports whether err says a dependency could not be
// reached, rather than that it refused the request: a connection refused or
// reset, a dial that failed, a request an object store's client could not
// send (the AWS SDK's errors with ConnectionError() true), a pooled
// connection found dead (driver.ErrBadConn), a database error of class 08 (connection exception)
// or PostgreSQL's shutdown and start-up refusals (57P01-57P03), or an error
// its driver marks as safe to retry because nothing was sent. It matches
// methods, not driver types, so this package needs no database driver.
func DependencyUnavailable(err error) bool {
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		code := state.SQLState()
		if strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" {
			return true
		}
	}
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	// The AWS SDK's (S3, MinIO) "failed to send the request": the
	// connection failed, whatever the HTTP transport said about it.
	var conn interface{ ConnectionError() bool }
	if errors.As(err, &conn) && conn.ConnectionError() {
		return true
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

var missingProperty = regexp.MustCompile(`^expected required property (\S+) to be present`)

// fieldOf turns huma's "body.author_ids[1]" or "query.page_size" into the field name.
func fieldOf(location string) string {
	for _, prefix := range []string{"body.", "query.", "path.", "header.", "headers."} {
		if rest, ok := strings.CutPrefix(location, prefix); ok {
			return rest
		}
	}
	if location == "body" {
		return ""
	}
	return location
}

type loggerKey struct{}

// WithLogger stores the request-scoped logger.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the request-scoped logger, or a discarding one.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// logInternal logs an error the caller is not shown. Work a client
// abandoned (its request context cancelled) is logged at INFO: a client
// going away is not a server error.
func logInternal(ctx context.Context, err error) {
	if ClientGone(ctx) {
		Logger(ctx).InfoContext(ctx, "request abandoned by the client", slog.Any("error", err))
		return
	}
	noteFailure(ctx, err)
	Logger(ctx).ErrorContext(ctx, "request failed", slog.Any("error", err))
}

// StatusClientClosed is recorded (metrics, access log, trace) for a request
// whose client went away before it was answered: nginx's 499 "client closed
// request". It is never a 5xx: impatient clients must not fire the error
// alerts. Nothing reaches the client, which is gone.
const StatusClientClosed = 499

// ClientGone reports whether ctx, a request's context, was cancelled
// because its client closed the connection (or the HTTP/2 stream). net/http
// cancels a request's context for that reason only; timeouts end it with
// DeadlineExceeded instead.
func ClientGone(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

func statusText(code int) string {
	if code == StatusClientClosed {
		return "Client Closed Request"
	}
	return http.StatusText(code)
}

var installOnce sync.Once

// installProblems replaces huma's error constructor. huma keeps it in a
// package variable, so it is set once per process; the function itself holds
// no state and reads everything request-specific from the context.
func installProblems() {
	installOnce.Do(func() {
		// Keys match their declared case only: {"Email": …} is an unknown
		// field like any other, not a second spelling of "email".
		huma.ValidateStrictCasing = true
		huma.NewError = func(status int, msg string, list ...error) huma.StatusError {
			return toProblem(context.Background(), status, msg, list...)
		}
		huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, list ...error) huma.StatusError {
			ctx := context.Background()
			if hctx != nil {
				ctx = hctx.Context()
			}
			p := toProblem(ctx, status, msg, list...)
			if hctx != nil && p.Instance == "" {
				u := hctx.URL()
				p.Instance = u.Path
			}
			return p
		}
	})
}
