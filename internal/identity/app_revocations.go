package identity

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// Instant revocation (see internal/platform/auth/revocations.go): identity
// logs revocations in the transactions that cause them, serves the log as a
// feed to the other processes, and follows it itself, polling at once after
// each such transaction so that in its own process a revocation holds before
// the response that caused it is sent.

// revocationSkew is added to the access-token lifetime: tokens are accepted
// up to 30 seconds after they expire (auth.Verifier), and clocks differ.
const revocationSkew = time.Minute

// revocationKeep is how long a revocation matters.
func (s *Service) revocationKeep() time.Duration { return s.cfg.AccessTokenTTL + revocationSkew }

// RevocationsSince implements auth.RevocationFeed from identity's store.
func (s *Service) RevocationsSince(ctx context.Context, since time.Time, limit int) ([]auth.Revocation, error) {
	keep := s.revocationKeep()
	rows, err := s.store.revocationsSince(ctx, since, time.Now().Add(-keep), limit)
	if err != nil {
		return nil, err
	}
	out := make([]auth.Revocation, 0, len(rows))
	for _, r := range rows {
		rv := auth.Revocation{ID: r.ID, UserID: r.UserID, SessionID: r.SessionID, MinVersion: r.MinVersion,
			Reason: r.Reason, At: r.CreatedAt, ExpiresAt: r.CreatedAt.Add(keep)}
		if r.Reason == auth.RevokedRoles {
			rv.Roles = decodeRoles(r.Roles)
			if rv.Roles == nil {
				rv.Roles = []string{}
			}
		}
		out = append(out, rv)
	}
	return out, nil
}

// Revocations is the list identity's follower keeps: the process
// verifier's when it has one, else identity's own (tests attach it).
func (s *Service) Revocations() *auth.Revocations { return s.revocations }

// startRevocations sets up the follower of identity's own log.
func (s *Service) startRevocations(d module.Deps) error {
	if d.Verifier != nil && d.Verifier.Revocations() != nil {
		s.revocations = d.Verifier.Revocations()
	} else {
		s.revocations = auth.NewRevocations()
	}
	s.serviceKey = d.ServiceKey
	s.follower = auth.NewFollower(s.revocations, s, s.log)
	s.store.revoked = func(ctx context.Context) {
		if err := s.follower.Poll(ctx); err != nil {
			// The running follower retries; the list catches up within
			// its interval.
			s.log.WarnContext(ctx, "reading new revocations failed", slog.Any("error", err))
			s.follower.Kick()
		}
	}
	return s.group.Go("revocation follower", s.follower.Run(auth.FollowInterval))
}

// serveRevocations is the feed for the other processes' followers; only
// holders of the deployment's service key may read it.
func (s *Service) serveRevocations(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(auth.ServiceKeyHeader)
	if s.serviceKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.serviceKey)) != 1 {
		http.Error(w, "the revocation feed needs the deployment's service key", http.StatusForbidden)
		return
	}
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			http.Error(w, "since: not an RFC 3339 time", http.StatusBadRequest)
			return
		}
		since = t
	}
	limit := 1000
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			http.Error(w, "limit: between 1 and 1000", http.StatusBadRequest)
			return
		}
		limit = n
	}
	rs, err := s.RevocationsSince(r.Context(), since, limit)
	if err != nil {
		s.log.ErrorContext(r.Context(), "revocation feed failed", slog.Any("error", err))
		http.Error(w, "revocation feed unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"revocations": rs})
}

// pruneRevocations deletes the log entries that no longer matter.
func (s *Service) pruneRevocations(ctx context.Context) (int64, error) {
	return s.store.deleteRevocationsBefore(ctx, time.Now().Add(-s.revocationKeep()-revocationSkew))
}
