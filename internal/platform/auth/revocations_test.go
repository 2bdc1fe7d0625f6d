package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/auth/authtest"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestRevocationsRefuseOlderTokensOnly(t *testing.T) {
	t.Parallel()
	issuer := authtest.NewIssuer(t)
	v := issuer.Verifier()
	list := auth.NewRevocations()
	v.UseRevocations(list)
	ctx := context.Background()
	later := time.Now().Add(time.Hour)

	old := issuer.SessionToken("u1", "s1", 4, auth.RoleModerator)
	fresh := issuer.SessionToken("u1", "s2", 5, auth.RoleReader)
	other := issuer.SessionToken("u2", "s3", 1)
	p, err := v.Verify(ctx, old)
	if err != nil || p.Version != 4 || p.SessionID != "s1" {
		t.Fatalf("before any revocation: %+v, %v", p, err)
	}

	list.Add(auth.Revocation{UserID: "u1", MinVersion: 5, Reason: auth.RevokedRoles, Roles: []string{auth.RoleReader}, ExpiresAt: later})
	if p, err := v.Verify(ctx, old); err != nil || p.Has(auth.RoleModerator) {
		t.Fatalf("token older than a role removal keeps the role: %+v, %v", p, err)
	}
	if p, err := v.Verify(ctx, fresh); err != nil || !p.Has(auth.RoleReader) {
		t.Fatalf("token issued after the removal: %+v, %v", p, err)
	}
	cut := issuer.SessionToken("u1", "s5", 4, auth.RoleModerator, auth.RoleReader)
	if p, err := v.Verify(ctx, cut); err != nil || p.Has(auth.RoleModerator) || !p.Has(auth.RoleReader) {
		t.Fatalf("roles still held stay: %+v, %v", p, err)
	}
	if _, err := v.Verify(ctx, other); err != nil {
		t.Fatalf("another user's token: %v", err)
	}

	// A lower cut that arrives late (feed overlap, reordering) does not
	// weaken the higher one.
	list.Add(auth.Revocation{UserID: "u1", MinVersion: 3, Reason: auth.RevokedRoles, Roles: []string{auth.RoleModerator}, ExpiresAt: later})
	if p, err := v.Verify(ctx, old); err != nil || p.Has(auth.RoleModerator) {
		t.Fatalf("a lower cut undid a higher one: %+v, %v", p, err)
	}

	list.Add(auth.Revocation{UserID: "u1", MinVersion: 6, Reason: auth.RevokedSuspended, ExpiresAt: later})
	if _, err := v.Verify(ctx, fresh); errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("suspended: want forbidden, got %v", err)
	}

	list.Add(auth.Revocation{UserID: "u2", SessionID: "s3", Reason: auth.RevokedSession, ExpiresAt: later})
	if _, err := v.Verify(ctx, other); errs.KindOf(err) != errs.Unauthenticated {
		t.Fatalf("ended session: %v", err)
	}
	if _, err := v.Verify(ctx, issuer.SessionToken("u2", "s4", 1)); err != nil {
		t.Fatalf("another session of the same user: %v", err)
	}
}

func TestRevocationsExpire(t *testing.T) {
	t.Parallel()
	issuer := authtest.NewIssuer(t)
	v := issuer.Verifier()
	list := auth.NewRevocations()
	v.UseRevocations(list)
	list.Add(auth.Revocation{UserID: "u1", MinVersion: 9, Reason: auth.RevokedDeleted, ExpiresAt: time.Now().Add(-time.Second)})
	if list.Len() != 0 {
		t.Fatalf("an expired revocation was kept: %d", list.Len())
	}
	if _, err := v.Verify(context.Background(), issuer.SessionToken("u1", "s1", 1)); err != nil {
		t.Fatal(err)
	}
}

// fakeFeed serves revocations by time, like identity's log.
type fakeFeed struct {
	mu    sync.Mutex
	rows  []auth.Revocation
	calls []time.Time
}

func (f *fakeFeed) add(r auth.Revocation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = append(f.rows, r)
}

func (f *fakeFeed) RevocationsSince(_ context.Context, since time.Time, limit int) ([]auth.Revocation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, since)
	var out []auth.Revocation
	for _, r := range f.rows {
		if r.At.After(since) && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

func TestFollowerPagesAndLooksBack(t *testing.T) {
	t.Parallel()
	feed := &fakeFeed{}
	base := time.Now().Add(-time.Minute)
	for i := range 2500 {
		feed.add(auth.Revocation{ID: fmt.Sprint(i), UserID: fmt.Sprintf("u%d", i), SessionID: fmt.Sprintf("s%d", i),
			At: base.Add(time.Duration(i) * time.Millisecond), ExpiresAt: time.Now().Add(time.Hour)})
	}
	list := auth.NewRevocations()
	f := auth.NewFollower(list, feed, nil)
	if err := f.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if list.Len() != 2500 {
		t.Fatalf("followed %d of 2500", list.Len())
	}
	// A row that commits late with a time just before the newest seen is
	// still picked up on the next poll.
	feed.add(auth.Revocation{UserID: "late", SessionID: "late", At: base.Add(2400 * time.Millisecond), ExpiresAt: time.Now().Add(time.Hour)})
	if err := f.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if list.Len() != 2501 {
		t.Fatalf("the late row was missed: %d", list.Len())
	}
}

func TestHTTPFeedNeedsTheServiceKey(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(auth.ServiceKeyHeader) != "right" || r.URL.Path != auth.RevocationsPath {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = fmt.Fprintf(w, `{"revocations":[{"id":"1","user_id":"u1","min_version":3,"reason":"suspended","at":%q,"expires_at":%q}]}`,
			time.Now().Format(time.RFC3339Nano), time.Now().Add(time.Hour).Format(time.RFC3339Nano))
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	if _, err := (auth.HTTPFeed{URL: srv.URL, Key: "wrong"}).RevocationsSince(ctx, time.Time{}, 10); err == nil {
		t.Fatal("a wrong key was accepted")
	}
	rs, err := auth.HTTPFeed{URL: srv.URL, Key: "right"}.RevocationsSince(ctx, time.Time{}, 10)
	if err != nil || len(rs) != 1 || rs[0].MinVersion != 3 || rs[0].Reason != auth.RevokedSuspended {
		t.Fatalf("%+v %v", rs, err)
	}
}
