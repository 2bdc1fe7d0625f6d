package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
)

// followRevocations keeps the process's revocation list up to date from
// identity's feed when identity runs elsewhere (identity here follows its
// own log). It returns how to stop the follower.
func followRevocations(log *slog.Logger, selected []Target, v *auth.Verifier, identityURL, serviceKey string, client *http.Client) (func(), error) {
	for _, t := range selected {
		if t.Name == "identity" {
			return func() {}, nil
		}
	}
	group := lifecycle.NewGroup("revocations", log)
	feed := auth.HTTPFeed{URL: identityURL, Key: serviceKey, Client: client}
	f := auth.NewFollower(v.Revocations(), feed, log.With(slog.String("component", "revocations")))
	if err := group.Go("revocation follower", f.Run(auth.FollowInterval)); err != nil {
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = group.Stop(ctx)
	}, nil
}
