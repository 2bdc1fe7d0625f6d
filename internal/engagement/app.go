package engagement

import (
	"context"
	"slices"
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The application layer: commands and queries the handlers and consumers
// call. Each write is one transaction with its events.

// visibleMedia returns an item readers may see, or NotFound.
func (s *Service) visibleMedia(ctx context.Context, st *Store, id string) (domain.Media, error) {
	if !domain.ValidID(id) {
		return domain.Media{}, errs.NotFoundf("no such media item")
	}
	m, ok, err := st.media(ctx, id)
	if err != nil {
		return domain.Media{}, err
	}
	if !ok || !m.Visible() {
		return domain.Media{}, errs.NotFoundf("no such media item")
	}
	return m, nil
}

// follow makes userID follow a visible target.
func (s *Service) follow(ctx context.Context, userID, typ, id string) (Follow, error) {
	if err := checkTarget(typ, id); err != nil {
		return Follow{}, err
	}
	f := Follow{UserID: userID, TargetType: typ, TargetID: id, CreatedAt: s.now()}
	err := s.store.Tx(ctx, func(st *Store) error {
		ok, err := st.targetVisible(ctx, typ, id)
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFoundf("no such %s", typ)
		}
		_, err = st.addFollow(ctx, f)
		return err
	})
	return f, err
}

// unfollow undoes a follow; undoing one that does not exist is no error.
func (s *Service) unfollow(ctx context.Context, userID, typ, id string) error {
	if err := checkTarget(typ, id); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(st *Store) error {
		_, err := st.removeFollow(ctx, Follow{UserID: userID, TargetType: typ, TargetID: id, CreatedAt: s.now()})
		return err
	})
}

// checkTarget refuses a follow path that cannot name anything.
func checkTarget(typ, id string) error {
	switch {
	case !slices.Contains(domain.TargetTypes, typ):
		return errs.InvalidField("path.type", "must be author, category or tag")
	case typ == domain.TargetTag && !domain.ValidTag(id):
		return errs.NotFoundf("no such tag")
	case typ != domain.TargetTag && !domain.ValidID(id):
		return errs.NotFoundf("no such %s", typ)
	}
	return nil
}

// like sets or clears userID's like of a visible item.
func (s *Service) like(ctx context.Context, userID, mediaID string, like bool) error {
	return s.store.Tx(ctx, func(st *Store) error {
		if _, err := s.visibleMedia(ctx, st, mediaID); err != nil {
			return err
		}
		_, err := st.setLike(ctx, userID, mediaID, like, s.now())
		return err
	})
}

// MediaStats are an item's counts as one caller sees them.
type MediaStats struct {
	mediaCounts
	LikedByMe bool
}

func (s *Service) mediaStats(ctx context.Context, userID, mediaID string) (MediaStats, error) {
	if _, err := s.visibleMedia(ctx, s.store, mediaID); err != nil {
		return MediaStats{}, err
	}
	c, err := s.store.mediaStats(ctx, mediaID)
	if err != nil {
		return MediaStats{}, err
	}
	out := MediaStats{mediaCounts: c}
	if userID != "" {
		out.LikedByMe, err = s.store.liked(ctx, userID, mediaID)
	}
	return out, err
}

func (s *Service) authorStats(ctx context.Context, authorID string) (authorCounts, error) {
	if !domain.ValidID(authorID) {
		return authorCounts{}, errs.NotFoundf("no such author")
	}
	ok, err := s.store.targetVisible(ctx, domain.TargetAuthor, authorID)
	if err != nil {
		return authorCounts{}, err
	}
	if !ok {
		return authorCounts{}, errs.NotFoundf("no such author")
	}
	return s.store.authorStats(ctx, authorID)
}

// putProgress stores a user's position in a visible item; the later
// client_time wins (domain.Progress.Supersedes).
func (s *Service) putProgress(ctx context.Context, userID, mediaID string, pos domain.Position, device string,
	clientTime time.Time) (domain.Progress, bool, error) {
	var (
		out     domain.Progress
		applied bool
	)
	err := s.store.Tx(ctx, func(st *Store) error {
		m, err := s.visibleMedia(ctx, st, mediaID)
		if err != nil {
			return err
		}
		p, err := domain.NewProgress(userID, m, pos, device, clientTime.UTC(), s.now())
		if err != nil {
			return err
		}
		out, applied, err = st.putProgress(ctx, p)
		return err
	})
	return out, applied, err
}

// eraseUser is the erasure saga's step (consume.go).
func (s *Service) eraseUser(ctx context.Context, st *Store, userID string) error {
	if !domain.ValidID(userID) {
		return nil
	}
	return st.eraseUser(ctx, userID)
}
