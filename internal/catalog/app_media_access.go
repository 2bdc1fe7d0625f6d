package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// fileAccess is what a user may do with a media item's files.
type fileAccess struct {
	media domain.Media
	// public: anyone may read the files (published, every author active).
	public bool
	// canView: this user may read the files.
	canView bool
	// canEdit: this user may upload: a member of one of its authors, not
	// blocked, the item not removed.
	canEdit bool
}

// accessTo answers for actor; an item actor may not see does not exist.
// forService answers a service asking on actor's behalf (storage, for the
// creator of a signed link): the item's status is answered even when actor
// may not see it, and a blocked member may read only what is public.
func (s *Service) accessTo(ctx context.Context, actor domain.Actor, id string, forService bool) (fileAccess, error) {
	m, err := s.store.Media(ctx, id)
	if err != nil {
		return fileAccess{}, err
	}
	authors, err := s.store.Authors(ctx, m.AuthorIDs)
	if err != nil {
		return fileAccess{}, err
	}
	out := fileAccess{media: m, public: m.VisibleTo(domain.Actor{}, authors), canView: m.VisibleTo(actor, authors)}
	if !out.canView && !forService {
		return fileAccess{}, errs.NotFoundf("media %s not found", id)
	}
	if actor.UserID != "" && m.Status != domain.MediaRemoved {
		for _, id := range m.AuthorIDs {
			if authors[id].IsMember(actor) {
				out.canEdit = true
				break
			}
		}
		if out.canEdit {
			blocked, err := s.store.Blocked(ctx, actor.UserID)
			if err != nil {
				return fileAccess{}, err
			}
			out.canEdit = !blocked
			if forService && blocked {
				out.canView = out.public
			}
		}
	}
	return out, nil
}
