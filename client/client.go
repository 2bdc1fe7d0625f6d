// Package client is a typed Go client for Alexandria's public HTTP API. The
// end-to-end tests drive the platform only through it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one Alexandria deployment. It is safe for concurrent use;
// WithToken returns a copy acting as another caller.
type Client struct {
	base  string
	http  *http.Client
	token string
}

// New returns a client for the deployment at baseURL (e.g. http://localhost:8080).
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: hc}
}

// WithToken returns a client that sends token as its bearer access token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// Problem is an RFC 9457 error answer from the API.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Instance  string         `json:"instance"`
	RequestID string         `json:"request_id"`
	Errors    []ProblemField `json:"errors"`
	// RetryAfter is the Retry-After header, when the server sent one.
	RetryAfter string `json:"-"`
}

// ProblemField names one offending input.
type ProblemField struct {
	Field    string `json:"field"`
	Location string `json:"location"`
	Message  string `json:"message"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %s", p.Status, p.Title, p.Detail)
	for _, f := range p.Errors {
		fmt.Fprintf(&b, "; %s: %s", f.Location, f.Message)
	}
	return b.String()
}

// HasField reports whether the problem names field (e.g. "password").
func (p *Problem) HasField(field string) bool {
	for _, f := range p.Errors {
		if f.Field == field || f.Location == field {
			return true
		}
	}
	return false
}

// StatusOf returns the HTTP status of a *Problem error, or 0.
func StatusOf(err error) int {
	var p *Problem
	if errors.As(err, &p) {
		return p.Status
	}
	return 0
}

// call sends one request. in is encoded as JSON when not nil; out, when not
// nil, receives the decoded body; the response headers are returned.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, headers map[string]string, in, out any) (http.Header, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return resp.Header, err
	}
	if resp.StatusCode >= 400 {
		p := &Problem{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode), RetryAfter: resp.Header.Get("Retry-After")}
		if len(data) > 0 {
			_ = json.Unmarshal(data, p)
		}
		return resp.Header, p
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.Header, fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return resp.Header, nil
}

// Page is one page of a list.
type Page[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

// ListOptions are the paging parameters every list takes.
type ListOptions struct {
	PageSize  int
	PageToken string
}

func (o ListOptions) values() url.Values {
	v := url.Values{}
	if o.PageSize > 0 {
		v.Set("page_size", fmt.Sprint(o.PageSize))
	}
	if o.PageToken != "" {
		v.Set("page_token", o.PageToken)
	}
	return v
}

func ifMatch(etag string) map[string]string { return map[string]string{"If-Match": etag} }

// WithBase returns a client for the same caller at another base URL.
func (c *Client) WithBase(baseURL string) *Client {
	cp := *c
	cp.base = strings.TrimRight(baseURL, "/")
	return &cp
}
