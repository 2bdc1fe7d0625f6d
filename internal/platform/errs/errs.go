// Package errs defines the small set of error kinds every service returns.
//
// Domain and store code wrap one of the sentinel kinds with %w (or build an
// *Error with field details); the HTTP edge turns the kind into a status code
// and an RFC 9457 problem document in exactly one place (httpx.Problem).
package errs

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Kind is the category of a failure. The zero Kind means "internal".
type Kind int

// The kinds of error a service may report. Each maps to one HTTP status.
const (
	Internal Kind = iota
	NotFound
	Invalid
	Conflict
	Unauthenticated
	Forbidden
	Unavailable
	PreconditionFailed
	TooManyRequests
)

var kindNames = map[Kind]string{
	Internal:           "internal",
	NotFound:           "not-found",
	Invalid:            "invalid",
	Conflict:           "conflict",
	Unauthenticated:    "unauthenticated",
	Forbidden:          "forbidden",
	Unavailable:        "unavailable",
	PreconditionFailed: "precondition-failed",
	TooManyRequests:    "too-many-requests",
}

// String returns the stable, URL-safe name of the kind; it becomes part of
// the problem type URI, so it must never change.
func (k Kind) String() string { return kindNames[k] }

// Field names one offending input and says what is wrong with it.
type Field struct {
	// Name is the JSON path of the field, e.g. "email" or "author_ids[1]".
	Name    string
	Message string
}

// Error is a classified error with an optional list of field problems.
type Error struct {
	Kind    Kind
	Message string
	Fields  []Field
	// RetryAfterSeconds is set for TooManyRequests and Unavailable when the
	// caller knows how long to wait.
	RetryAfterSeconds int
	cause             error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Name + ": " + f.Message)
	}
	if e.cause != nil {
		b.WriteString(": " + e.cause.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.cause }

// GetHeaders lets the HTTP layer send Retry-After with throttling errors.
func (e *Error) GetHeaders() http.Header {
	if e.RetryAfterSeconds <= 0 {
		return nil
	}
	return http.Header{"Retry-After": []string{strconv.Itoa(e.RetryAfterSeconds)}}
}

// Is lets errors.Is(err, errs.ErrNotFound) match any *Error of that kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Fields == nil && t.Kind == e.Kind
}

// Sentinels for errors.Is; wrap them with fmt.Errorf("...: %w", errs.ErrNotFound).
var (
	ErrNotFound           = &Error{Kind: NotFound}
	ErrInvalid            = &Error{Kind: Invalid}
	ErrConflict           = &Error{Kind: Conflict}
	ErrUnauthenticated    = &Error{Kind: Unauthenticated}
	ErrForbidden          = &Error{Kind: Forbidden}
	ErrUnavailable        = &Error{Kind: Unavailable}
	ErrPreconditionFailed = &Error{Kind: PreconditionFailed}
	ErrTooManyRequests    = &Error{Kind: TooManyRequests}
)

// New builds an error of the given kind.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies cause under kind with a message.
func Wrap(kind Kind, cause error, msg string) *Error {
	return &Error{Kind: kind, Message: msg, cause: cause}
}

// NotFoundf reports a missing resource.
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// Forbiddenf reports an authenticated caller without the right.
func Forbiddenf(format string, args ...any) *Error { return New(Forbidden, format, args...) }

// Conflictf reports a uniqueness or state conflict.
func Conflictf(format string, args ...any) *Error { return New(Conflict, format, args...) }

// Unauthenticatedf reports a missing or bad credential.
func Unauthenticatedf(format string, args ...any) *Error {
	return New(Unauthenticated, format, args...)
}

// Validation collects field problems; Err returns nil when there are none.
type Validation struct {
	fields []Field
}

// Add records a problem with one field.
func (v *Validation) Add(field, format string, args ...any) {
	v.fields = append(v.fields, Field{Name: field, Message: fmt.Sprintf(format, args...)})
}

// Check adds the problem when cond is false.
func (v *Validation) Check(cond bool, field, format string, args ...any) {
	if !cond {
		v.Add(field, format, args...)
	}
}

// Err returns an Invalid error listing every field problem, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "validation failed", Fields: v.fields}
}

// InvalidField is a shortcut for a single-field validation error.
func InvalidField(field, format string, args ...any) error {
	var v Validation
	v.Add(field, format, args...)
	return v.Err()
}

// KindOf returns the kind of the first classified error in err's chain.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
