package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/auth/authtest"
)

// BenchmarkVerifyWithRevocations measures what instant revocation costs per
// request: it alternates verifying one access token with a verifier that
// consults a revocation list holding 10,000 users and 10,000 sessions (far
// more than a deployment revokes within one access-token lifetime) and with
// one that consults none, and reports the ratio as "x_no_check" (1.0 = free)
// with the time of the check alone as "check_ns".
func BenchmarkVerifyWithRevocations(b *testing.B) {
	issuer := authtest.NewIssuer(b)
	plain := issuer.Verifier()
	checked := issuer.Verifier()
	list := auth.NewRevocations()
	later := time.Now().Add(time.Hour)
	for i := range 10000 {
		list.Add(auth.Revocation{UserID: fmt.Sprintf("user-%d", i), MinVersion: 5, Reason: auth.RevokedSuspended, ExpiresAt: later},
			auth.Revocation{UserID: fmt.Sprintf("user-%d", i), SessionID: fmt.Sprintf("session-%d", i), Reason: auth.RevokedSession, ExpiresAt: later})
	}
	checked.UseRevocations(list)
	// A user with a role removal: the check also narrows the roles.
	list.Add(auth.Revocation{UserID: "reader", MinVersion: 9, Reason: auth.RevokedRoles, Roles: []string{auth.RoleReader}, ExpiresAt: later})
	token := issuer.SessionToken("reader", "live-session", 3, auth.RoleReader, auth.RoleAuthor)
	ctx := context.Background()
	if p, err := checked.Verify(ctx, token); err != nil || p.Has(auth.RoleAuthor) {
		b.Fatalf("checked verifier: %+v %v", p, err)
	}
	var withCheck, without time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := checked.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := plain.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
		withCheck += t1.Sub(t0)
		without += time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(withCheck)/float64(without), "x_no_check")
	p := auth.Principal{UserID: "reader", SessionID: "live-session", Version: 3, Roles: []string{auth.RoleReader, auth.RoleAuthor}}
	const n = 200000
	t0 := time.Now()
	for range n {
		_, _ = list.Check(p)
	}
	b.ReportMetric(float64(time.Since(t0).Nanoseconds())/n, "check_ns")
}
