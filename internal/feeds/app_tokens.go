package feeds

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// createToken makes a private feed token for userID and returns it with
// its secret.
func (s *Service) createToken(ctx context.Context, userID, name string) (domain.FeedToken, string, error) {
	name = strings.TrimSpace(name)
	if p := httpx.TextProblem(name, false); p != "" || name == "" || len([]rune(name)) > 100 {
		return domain.FeedToken{}, "", errs.InvalidField("body.name", "must be 1 to 100 characters of plain text")
	}
	t := domain.FeedToken{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, Name: name, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	secret := domain.NewFeedSecret()
	ok, err := s.store.CreateToken(ctx, t, domain.HashFeedSecret(secret))
	if err != nil {
		return domain.FeedToken{}, "", err
	}
	if !ok {
		return domain.FeedToken{}, "", errs.Conflictf("you already have %d private feed tokens: revoke one first", domain.MaxFeedTokens)
	}
	s.app.metrics.tokens.WithLabelValues("created").Inc()
	s.log.InfoContext(ctx, "private feed token created", slog.String("user_id", userID), slog.String("token_id", t.ID))
	return t, secret, nil
}

// revokeToken deletes one of userID's tokens: its feeds answer 404 from
// the next request on (the secret is looked up on every request).
func (s *Service) revokeToken(ctx context.Context, userID, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return errs.InvalidField("path.id", "must be a token ID (UUID)")
	}
	ok, err := s.store.DeleteToken(ctx, userID, id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.NotFoundf("private feed token %s not found", id)
	}
	s.app.metrics.tokens.WithLabelValues("revoked").Inc()
	s.log.InfoContext(ctx, "private feed token revoked", slog.String("user_id", userID), slog.String("token_id", id))
	return nil
}

// tokenFor finds the live token of a secret from a private feed URL, and
// records its use at most once per domain.LastUseGranularity.
func (s *Service) tokenFor(ctx context.Context, secret string) (domain.FeedToken, bool, error) {
	if !domain.WellFormedFeedSecret(secret) {
		return domain.FeedToken{}, false, nil
	}
	t, ok, err := s.store.TokenByHash(ctx, domain.HashFeedSecret(secret))
	if err != nil || !ok {
		return t, ok, err
	}
	if now := time.Now().UTC(); t.NeedsLastUse(now) {
		if err := s.store.TouchToken(ctx, t.ID, now.Truncate(time.Microsecond)); err != nil {
			// A lost last-use time must not cost the subscriber the feed.
			s.log.WarnContext(ctx, "private feed token: last use not recorded", slog.String("token_id", t.ID), slog.Any("error", err))
		}
	}
	return t, true, nil
}
