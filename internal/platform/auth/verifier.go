package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// KeySource yields the public keys that sign access tokens.
type KeySource interface {
	// Keys returns the current key set; refresh asks for a fresh copy
	// because a token named a key the cached set does not have.
	Keys(ctx context.Context, refresh bool) (jwk.Set, error)
}

// Verifier checks access tokens against a KeySource. It is safe for
// concurrent use.
type Verifier struct {
	keys    KeySource
	now     func() time.Time
	revoked *Revocations
}

// UseRevocations makes the verifier refuse the tokens revoked in list
// (revocations.go). Call it before the verifier serves.
func (v *Verifier) UseRevocations(list *Revocations) { v.revoked = list }

// Revocations returns the list the verifier consults, or nil.
func (v *Verifier) Revocations() *Revocations { return v.revoked }

// SetClock makes the verifier judge expiry by now instead of the system
// clock (tests that jump the clock). Call it before the verifier serves.
func (v *Verifier) SetClock(now func() time.Time) { v.now = now }

// NewVerifier returns a verifier over keys.
func NewVerifier(keys KeySource) *Verifier {
	return &Verifier{keys: keys, now: time.Now}
}

// Verify parses and validates an access token and returns its caller.
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	set, err := v.keys.Keys(ctx, false)
	if err != nil {
		return Principal{}, errs.Wrap(errs.Unavailable, err, "cannot verify tokens right now")
	}
	tok, err := v.parse(token, set)
	if err != nil && isUnknownKey(err) {
		// Keys rotate: a token may name a key newer than our copy.
		if set, ferr := v.keys.Keys(ctx, true); ferr == nil {
			tok, err = v.parse(token, set)
		}
	}
	if err != nil {
		return Principal{}, errs.Unauthenticatedf("access token rejected: %s", reason(err))
	}
	var p Principal
	p.UserID, _ = tok.Subject()
	if id, ok := tok.JwtID(); ok {
		p.TokenID = id
	}
	if p.UserID == "" {
		return Principal{}, errs.Unauthenticatedf("access token rejected: no subject")
	}
	// Private claims come back as decoded JSON: an array is []any.
	var roles any
	if err := tok.Get("roles", &roles); err == nil {
		switch rs := roles.(type) {
		case []string:
			p.Roles = rs
		case []any:
			for _, r := range rs {
				if s, ok := r.(string); ok {
					p.Roles = append(p.Roles, s)
				}
			}
		}
	}
	var scope string
	if err := tok.Get("scope", &scope); err == nil {
		p.Scopes = strings.Fields(scope)
	}
	var sid string
	if err := tok.Get("sid", &sid); err == nil {
		p.SessionID = sid
	}
	var uv float64
	if err := tok.Get("uv", &uv); err == nil {
		p.Version = int64(uv)
	}
	return v.revoked.Check(p)
}

func (v *Verifier) parse(token string, set jwk.Set) (jwt.Token, error) {
	return jwt.ParseString(token,
		jwt.WithKeySet(set),
		jwt.WithValidate(true),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithAcceptableSkew(30*time.Second),
		jwt.WithClock(jwt.ClockFunc(v.now)),
	)
}

func isUnknownKey(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "key") && (strings.Contains(msg, "not found") || strings.Contains(msg, "failed to find"))
}

func reason(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return "expired; refresh it with POST /v1/auth/refresh"
	case errors.Is(err, jwt.InvalidIssuerError()), errors.Is(err, jwt.InvalidAudienceError()):
		return "not issued for this service"
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return "not valid yet"
	}
	return "invalid signature or malformed token"
}

// Middleware verifies a bearer token when one is sent and stores the caller.
// Requests without Authorization pass through as anonymous; a bad token is
// a 401, never silently anonymous. Token scopes are enforced here: a token
// without "write" may only read.
func Middleware(v *Verifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			scheme, token, ok := strings.Cut(h, " ")
			if ok && strings.EqualFold(scheme, "Basic") && BasicAllowed(r.URL.Path) {
				// The feeds target checks these itself (e-mail and API token).
				next.ServeHTTP(w, r)
				return
			}
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				unauthorized(w, r, errs.Unauthenticatedf("Authorization must be \"Bearer <access token>\""))
				return
			}
			p, err := v.Verify(r.Context(), strings.TrimSpace(token))
			if err != nil {
				if errs.KindOf(err) == errs.Unauthenticated {
					unauthorized(w, r, err)
				} else {
					httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
				}
				return
			}
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				if !p.Can(ScopeRead) && !feedsReaderSelf(p, r) && !grantedByScope(p, r) {
					httpx.WriteProblem(w, r, httpx.ProblemFor(r, errs.Forbiddenf("this token may not read (it lacks the read scope)")))
					return
				}
			default:
				if !p.Can(ScopeWrite) && !isAuthRoute(r.URL.Path) && !grantedByScope(p, r) {
					httpx.WriteProblem(w, r, httpx.ProblemFor(r, errs.Forbiddenf("this token is read-only (it lacks the write scope)")))
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// isAuthRoute lets read-only tokens still sign out.
func isAuthRoute(path string) bool { return strings.HasPrefix(path, "/v1/auth/") }

func unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="alexandria"`)
	httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
}

// JWKSClient fetches identity's JWKS over HTTP and caches it. A forced
// refresh is rate limited, so a flood of tokens naming unknown keys cannot
// turn into a flood of requests to identity.
type JWKSClient struct {
	url        string
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration

	mu        sync.Mutex
	set       jwk.Set
	fetchedAt time.Time
	failedAt  time.Time
	lastErr   error
}

// NewJWKSClient caches the key set at url for ttl.
func NewJWKSClient(url string, client *http.Client, ttl time.Duration) *JWKSClient {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	return &JWKSClient{url: url, client: client, ttl: ttl, minRefresh: 5 * time.Second}
}

// Keys implements KeySource.
func (c *JWKSClient) Keys(ctx context.Context, refresh bool) (jwk.Set, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	age := time.Since(c.fetchedAt)
	if c.set != nil && age < c.ttl && (!refresh || age < c.minRefresh) {
		return c.set, nil
	}
	// After a failed fetch, wait before asking identity again: requests
	// queue on this lock, and must not each wait for a timeout.
	if time.Since(c.failedAt) < c.minRefresh {
		if c.set != nil {
			return c.set, nil
		}
		return nil, c.lastErr
	}
	set, err := jwk.Fetch(ctx, c.url, jwk.WithHTTPClient(c.client))
	if err != nil {
		c.failedAt, c.lastErr = time.Now(), fmt.Errorf("fetch JWKS from %s: %w", c.url, err)
		if c.set != nil {
			// Keep serving the last good set while identity is away.
			return c.set, nil
		}
		return nil, c.lastErr
	}
	c.set, c.fetchedAt = set, time.Now()
	return set, nil
}

// basicPrefixes are the paths whose clients can only send HTTP Basic
// credentials (e-reader apps reading OPDS catalogs and private feeds, and
// linking a KOReader device): the middleware passes Basic through to them,
// and they verify it themselves.
var basicPrefixes = []string{"/opds/", "/feeds/", "/koreader/"}

// BasicAllowed reports whether a request to path may carry HTTP Basic
// credentials.
func BasicAllowed(path string) bool {
	for _, p := range basicPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// feedsReaderSelf lets a token that may only read feeds (feeds:read) read
// its own account, GET /v1/users/me: the feeds target checks the e-mail of
// HTTP Basic credentials (e-mail and API token) there, and nothing else.
func feedsReaderSelf(p Principal, r *http.Request) bool {
	return p.Can("feeds:read") && (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == "/v1/users/me"
}
