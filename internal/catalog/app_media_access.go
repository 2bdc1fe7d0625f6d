package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// fileAccess is what a caller may do with a media item's files.
type fileAccess struct {
	media domain.Media
	// public: anyone may read the files (published, every author active).
	public bool
	// canEdit: the caller may upload: a member of one of its authors, not
	// blocked, the item not removed.
	canEdit bool
}

// accessTo answers for actor; an item actor may not see does not exist.
func (s *Service) accessTo(ctx context.Context, actor domain.Actor, id string) (fileAccess, error) {
	m, err := s.store.Media(ctx, id)
	if err != nil {
		return fileAccess{}, err
	}
	authors, err := s.store.Authors(ctx, m.AuthorIDs)
	if err != nil {
		return fileAccess{}, err
	}
	if !m.VisibleTo(actor, authors) {
		return fileAccess{}, errs.NotFoundf("media %s not found", id)
	}
	out := fileAccess{media: m, public: m.VisibleTo(domain.Actor{}, authors)}
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
		}
	}
	return out, nil
}
