// Command oidcpeer runs an OpenID Connect provider on 127.0.0.1 for tests
// that cannot start one in-process: the web app's browser test (web/e2e)
// signs in and links accounts through it. It is mockoidc (the provider the
// Go end-to-end tests use) on a free port; every authorisation signs in the
// same test user (-email, -subject), whose address the provider vouches for
// (identity makes accounts only for such addresses).
//
// It prints one JSON line, {"issuer", "client_id", "client_secret"}, and
// serves until its standard input closes or it gets SIGINT/SIGTERM.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	email := flag.String("email", "sso.reader@example.test", "the test user's e-mail address")
	subject := flag.String("subject", "sso-reader-1", "the test user's subject")
	flag.Parse()
	if err := run(*email, *subject); err != nil {
		fmt.Fprintln(os.Stderr, "oidcpeer:", err)
		os.Exit(1)
	}
}

func run(email, subject string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	m, err := mockoidc.NewServer(key)
	if err != nil {
		return err
	}
	user := &mockoidc.MockUser{Subject: subject, Email: email, PreferredUsername: "sso.reader", EmailVerified: true}
	// mockoidc signs in a queued user, or its default one when the queue is
	// empty: queue ours in front of every authorisation.
	if err := m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == mockoidc.AuthorizationEndpoint {
				m.QueueUser(user)
			}
			next.ServeHTTP(w, r)
		})
	}); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if err := m.Start(ln, nil); err != nil {
		return err
	}
	defer func() { _ = m.Shutdown() }()
	cfg := m.Config()
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{
		"issuer": m.Issuer(), "client_id": cfg.ClientID, "client_secret": cfg.ClientSecret,
	}); err != nil {
		return err
	}
	done := make(chan os.Signal, 1)
	signal.Notify(done, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		done <- syscall.SIGTERM
	}()
	<-done
	return nil
}
