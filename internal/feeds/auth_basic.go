package feeds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// scopeFeedsRead is the API token scope that lets an e-reader or podcast
// app read the catalogs with HTTP Basic (e-mail and personal API token).
const scopeFeedsRead = auth.ScopeFeedsRead

// basicTTL is how long a verified e-mail and token pair is trusted before
// identity is asked again (a revoked token stops working within it).
const basicTTL = time.Minute

// basicAuth checks HTTP Basic credentials against identity: the token is
// exchanged at POST /v1/auth/token, the access token verified locally (it
// must carry feeds:read), and the e-mail compared with GET /v1/users/me.
type basicAuth struct {
	identityURL string
	client      *http.Client
	verifier    *auth.Verifier
	now         func() time.Time

	mu   sync.Mutex
	seen map[[32]byte]basicEntry
}

type basicEntry struct {
	userID  string
	expires time.Time
}

// caller returns the user of the request's Basic credentials, "" for a
// request without them, or an error for bad ones.
func (b *basicAuth) caller(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", nil
	}
	email, token, ok := r.BasicAuth()
	if !ok || email == "" || token == "" {
		return "", errs.Unauthenticatedf("send HTTP Basic credentials: your e-mail and a personal API token with the %s scope", scopeFeedsRead)
	}
	key := sha256.Sum256([]byte(strings.ToLower(email) + "\x00" + token))
	b.mu.Lock()
	e, hit := b.seen[key]
	b.mu.Unlock()
	if hit && b.now().Before(e.expires) {
		return e.userID, nil
	}
	userID, err := b.verify(r.Context(), email, token, scopeFeedsRead)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	if len(b.seen) > 10000 {
		clear(b.seen)
	}
	b.seen[key] = basicEntry{userID: userID, expires: b.now().Add(basicTTL)}
	b.mu.Unlock()
	return userID, nil
}

// verify checks that token is a live API token of the account with e-mail
// email and carries scope, and returns the user's ID.
func (b *basicAuth) verify(ctx context.Context, email, token, scope string) (string, error) {
	if b.identityURL == "" || b.verifier == nil {
		return "", errs.New(errs.Unavailable, "sign-in with API tokens is not configured")
	}
	body, _ := json.Marshal(map[string]string{"api_token": token})
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	status, err := b.call(ctx, http.MethodPost, "/v1/auth/token", "", body, &pair)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK || pair.AccessToken == "" {
		return "", errs.Unauthenticatedf("e-mail or API token rejected")
	}
	p, err := b.verifier.Verify(ctx, pair.AccessToken)
	if err != nil {
		return "", err
	}
	if !p.Can(scope) {
		return "", errs.Forbiddenf("this API token lacks the %s scope", scope)
	}
	var me struct {
		Email string `json:"email"`
	}
	status, err = b.call(ctx, http.MethodGet, "/v1/users/me", pair.AccessToken, nil, &me)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK || !strings.EqualFold(strings.TrimSpace(me.Email), strings.TrimSpace(email)) {
		return "", errs.Unauthenticatedf("e-mail or API token rejected")
	}
	return p.UserID, nil
}

// exchange trades an API token for an access token at identity.
func (b *basicAuth) exchange(ctx context.Context, token string) (string, error) {
	body, _ := json.Marshal(map[string]string{"api_token": token})
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	status, err := b.call(ctx, http.MethodPost, "/v1/auth/token", "", body, &pair)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK || pair.AccessToken == "" {
		return "", errs.Unauthenticatedf("the linked API token was rejected (revoked or expired): link the device again")
	}
	return pair.AccessToken, nil
}

// call sends one request to identity and decodes a 200 answer into out.
func (b *basicAuth) call(ctx context.Context, method, path, bearer string, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(b.identityURL, "/")+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := b.client.Do(req)
	if err != nil {
		return 0, errs.Wrap(errs.Unavailable, err, "identity is not answering")
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode >= 500 {
		return res.StatusCode, errs.New(errs.Unavailable, "identity answered %d", res.StatusCode)
	}
	if res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(out); err != nil {
			return 0, fmt.Errorf("identity answer: %w", err)
		}
	}
	return res.StatusCode, nil
}

// guard wraps a feed handler: Basic credentials, when sent, must be valid;
// with feeds.require_auth they must be sent.
func (s *Service) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, err := s.basic.caller(r)
		if err == nil && user == "" && s.cfg.RequireAuth {
			err = errs.Unauthenticatedf("this catalog is private: sign in with your e-mail and a personal API token with the %s scope", scopeFeedsRead)
		}
		if err != nil {
			if errs.KindOf(err) == errs.Unauthenticated {
				w.Header().Set("WWW-Authenticate", `Basic realm="Alexandria", charset="UTF-8"`)
			}
			httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
			return
		}
		next(w, r)
	}
}
