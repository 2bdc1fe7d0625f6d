package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// clientBody notes errors reading the request body, so that toProblem can
// tell a body the client broke (a malformed chunked encoding, a connection
// cut mid-body) from a server failure: the first is a 400, not an error to
// log. Errors pass through unchanged: handlers such as tusd compare them
// with ==.
type clientBody struct {
	io.ReadCloser
	state *bodyState
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.state.record(err)
	}
	return n, err
}

type bodyStateKey struct{}

// bodyState holds the first error reading the request body.
type bodyState struct {
	mu  sync.Mutex
	err error
}

func (s *bodyState) record(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// withBodyState wraps r's body so its read errors are remembered in the
// returned context.
func withBodyState(ctx context.Context, r *http.Request) context.Context {
	if r.Body == nil || r.Body == http.NoBody {
		return ctx
	}
	state := &bodyState{}
	r.Body = &clientBody{ReadCloser: r.Body, state: state}
	return context.WithValue(ctx, bodyStateKey{}, state)
}

// bodyReadError returns err's body read error when err is, or wraps, an
// error met reading the request body that is the client's doing: not a
// read timeout (huma answers 408) nor a body limit (413).
func bodyReadError(ctx context.Context, err error) error {
	state, ok := ctx.Value(bodyStateKey{}).(*bodyState)
	if !ok {
		return nil
	}
	state.mu.Lock()
	readErr := state.err
	state.mu.Unlock()
	if readErr == nil || !errors.Is(err, readErr) {
		return nil
	}
	var ne net.Error
	var tooLarge *http.MaxBytesError
	if (errors.As(readErr, &ne) && ne.Timeout()) || errors.As(readErr, &tooLarge) {
		return nil
	}
	return readErr
}

// queryProblem returns what is wrong with a raw query string, or nil.
// net/url skips a pair it cannot decode and handlers then see the other
// parameters only, so `?kind=%zz` would silently list everything; refuse
// such a query instead, naming the parameter when its name decodes.
func queryProblem(raw string) error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(pair, ";") {
			return &huma.ErrorDetail{Location: "query", Message: "';' is not a parameter separator: use '&'"}
		}
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(name)
		if err != nil {
			return &huma.ErrorDetail{Location: "query", Message: "a parameter name has an invalid percent-escape"}
		}
		loc := "query." + key
		if key == "" || !utf8.ValidString(key) {
			loc = "query"
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			return &huma.ErrorDetail{Location: loc, Message: "invalid percent-escape"}
		}
		if !utf8.ValidString(key) || !utf8.ValidString(v) {
			return &huma.ErrorDetail{Location: loc, Message: "must be valid UTF-8"}
		}
	}
	return nil
}

// strictJSON is the JSON format for request bodies. encoding/json replaces
// invalid UTF-8 with U+FFFD, keeps the last of duplicate keys and matches
// keys regardless of case; a body that relies on any of these is refused
// (case is checked by huma's validator with ValidateStrictCasing).
var strictJSON = huma.Format{
	Marshal: huma.DefaultJSONFormat.Marshal,
	Unmarshal: func(data []byte, v any) error {
		// huma decodes every body twice: into `any` to validate it, then
		// into the operation's type. Checking the first pass is enough.
		if _, generic := v.(*any); generic {
			if err := checkJSON(data); err != nil {
				return err
			}
		}
		return json.Unmarshal(data, v)
	},
}

// jsonFieldError names the offending field of a JSON body. huma carries an
// unmarshal error to toProblem by its message only, so the location leads
// the message ("body.title: must be valid UTF-8") and toProblem splits it.
type jsonFieldError struct{ loc, msg string }

func (e *jsonFieldError) Error() string { return e.loc + ": " + e.msg }

// splitJSONFieldError recovers the location from a jsonFieldError message.
func splitJSONFieldError(msg string) (loc, rest string, ok bool) {
	if !strings.HasPrefix(msg, "body") {
		return "", "", false
	}
	loc, rest, ok = strings.Cut(msg, ": ")
	if !ok || strings.ContainsAny(loc, " \n") {
		return "", "", false
	}
	return loc, rest, true
}

// checkJSON walks a JSON document and reports the first string that is not
// valid UTF-8 and the first object key given twice, with its location. It
// leaves syntax errors to the decoder that follows.
func checkJSON(data []byte) error {
	type frame struct {
		loc     string
		object  bool
		keys    map[string]bool
		key     string // the key whose value comes next (objects)
		haveKey bool
		index   int // the next element's index (arrays)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	stack := []*frame{{loc: "body"}}
	var offset int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil //nolint:nilerr // io.EOF, or a syntax error that json.Unmarshal reports with its position
		}
		raw := data[offset:dec.InputOffset()]
		offset = dec.InputOffset()
		top := stack[len(stack)-1]
		closing := tok == json.Delim('}') || tok == json.Delim(']')
		isKey := top.object && !top.haveKey && !closing
		// Where a value sits: under top's key, at top's next index, or at
		// the root.
		loc := top.loc
		switch {
		case top.object:
			loc = top.loc + "." + top.key
		case len(stack) > 1:
			loc = top.loc + "[" + strconv.Itoa(top.index) + "]"
		}
		if s, ok := tok.(string); ok {
			switch {
			case isKey && !validJSONString(raw):
				return &jsonFieldError{top.loc, "a property name is not valid UTF-8"}
			case isKey && top.keys[s]:
				return &jsonFieldError{top.loc + "." + s, "is given more than once"}
			case isKey:
				top.keys[s], top.key, top.haveKey = true, s, true
				continue
			case !validJSONString(raw):
				return &jsonFieldError{loc, "must be valid UTF-8"}
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{loc: loc, object: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{loc: loc})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value (a scalar or a container just closed) is complete.
		parent := stack[len(stack)-1]
		if parent.object {
			parent.haveKey = false
		} else {
			parent.index++
		}
	}
}

// validJSONString reports whether the raw bytes of a string token (with the
// separators before it) are valid UTF-8, escapes included: a lone surrogate
// escape such as \ud800 decodes to U+FFFD just like an invalid byte.
func validJSONString(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := bytes.Index(raw, []byte(`\u`)); i >= 0; {
		// Count the backslashes before: an even run means an escaped backslash.
		j := i
		for j > 0 && raw[j-1] == '\\' {
			j--
		}
		if (i-j)%2 == 0 && i+6 <= len(raw) {
			code, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
			if err == nil && code >= 0xd800 && code <= 0xdfff {
				if code >= 0xdc00 || !bytes.HasPrefix(raw[i+6:], []byte(`\u`)) {
					return false
				}
				low, err := strconv.ParseUint(string(raw[i+8:min(i+12, len(raw))]), 16, 16)
				if err != nil || low < 0xdc00 || low > 0xdfff {
					return false
				}
				i += 6 // skip the high half; the low half is checked as part of the pair
			}
		}
		next := bytes.Index(raw[i+2:], []byte(`\u`))
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return true
}
