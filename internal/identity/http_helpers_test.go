package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

const (
	testAdminEmail    = "root@example.org"
	testAdminPassword = "admin-pass-Quokka-42"
	goodPassword      = "lantern-Mosaic-77"
)

// env is identity behind the production middleware, verifying tokens with
// identity's own keys.
type env struct {
	t   *testing.T
	svc *Service
	url string
	out *strings.Builder
	// verifier checks access tokens for the harness's middleware.
	verifier *auth.Verifier
}

func newEnv(t *testing.T, backend moduletest.Store, tune func(*Config)) *env {
	t.Helper()
	return newEnvWith(t, backend, tune, nil)
}

// newEnvWith is newEnv with the harness's Deps adjusted by deps first.
func newEnvWith(t *testing.T, backend moduletest.Store, tune func(*Config), deps func(*module.Deps)) *env {
	t.Helper()
	h := moduletest.NewHarness(t, backend)
	if deps != nil {
		deps(&h.Deps)
	}
	var mu sync.Mutex
	out := &strings.Builder{}
	h.Deps.Out = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format, args...)
	}
	cfg := DefaultConfig()
	cfg.AdminEmail, cfg.AdminPassword = testAdminEmail, testAdminPassword
	cfg.LoginRatePerAddress = 10000
	cfg.SignupRatePerAddress = 10000
	if tune != nil {
		tune(&cfg)
	}
	svc, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	// The middleware is built in Start from Deps.Verifier: trust identity's
	// own keys instead of the harness's test issuer.
	h.Deps.Verifier = auth.NewVerifier(svc.KeySource())
	h.Deps.Verifier.UseRevocations(svc.Revocations())
	h.Start(t, svc)
	return &env{t: t, svc: svc, url: h.Server.URL, out: out, verifier: h.Deps.Verifier}
}

type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends a JSON request; headers are name, value pairs.
func (e *env) call(method, path, token string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// want fails the test unless r has status.
func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

func (r resp) str(key string) string { s, _ := r.body[key].(string); return s }

// fieldErrors lists the field names of a problem document.
func (r resp) fieldErrors() []string {
	var out []string
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		out = append(out, f)
	}
	return out
}

func (e *env) register(email, name string) string {
	e.t.Helper()
	r := e.call("POST", "/v1/users", "", map[string]any{"email": email, "password": goodPassword, "display_name": name}).
		want(e.t, http.StatusCreated)
	return r.str("id")
}

// login signs in and returns the access and refresh tokens.
func (e *env) login(email, password string) (string, string) {
	e.t.Helper()
	r := e.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": password}).want(e.t, http.StatusOK)
	return r.str("access_token"), r.str("refresh_token")
}

func (e *env) adminToken() string {
	e.t.Helper()
	access, _ := e.login(testAdminEmail, testAdminPassword)
	return access
}

// backdateRefreshUse moves the first use of refresh token back by d, as if
// it had been spent d ago.
func (e *env) backdateRefreshUse(token string, d time.Duration) {
	e.t.Helper()
	_, err := e.svc.db.NewUpdate().Model((*refreshRow)(nil)).Set("used_at = ?", ts(time.Now().Add(-d))).
		Where("token_hash = ?", hashSecret(token)).Exec(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
}
