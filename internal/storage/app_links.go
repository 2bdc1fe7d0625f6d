package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The application layer of files and signed links: the queries of the
// downloads (content_get.go) and the commands of the link handlers
// (link_*.go). Who may manage links is decided here; the signature and the
// URL are the handlers' (link_create.go).

// currentFile returns a media item's current file.
func (s *Service) currentFile(ctx context.Context, mediaID string) (upload, error) {
	return s.store.Current(ctx, mediaID)
}

// derivativeFile returns a derivative of a media item's current file.
func (s *Service) derivativeFile(ctx context.Context, mediaID, name string) (derivative, error) {
	return s.store.Derivative(ctx, mediaID, name)
}

// linkRecord returns the record of a signed link to a media item's file.
func (s *Service) linkRecord(ctx context.Context, mediaID, linkID string) (downloadLink, error) {
	return s.store.Link(ctx, mediaID, linkID)
}

// manageLinks lets through a caller who may make, list and revoke the
// item's links: a member of one of its authors (catalog's can_edit: not
// suspended, item not removed) or a moderator, never for a removed item.
func (s *Service) manageLinks(ctx context.Context, p auth.Principal, mediaID, authorization string) (Access, error) {
	a, err := s.access.Access(ctx, mediaID, authorization)
	if err != nil {
		return a, err
	}
	if a.Removed() {
		return a, errs.Forbiddenf("media item %s is removed: its files cannot be shared", mediaID)
	}
	if !a.CanEdit && !p.IsModerator() {
		return a, errs.Forbiddenf("only members of the item's authors and moderators manage download links of media item %s", mediaID)
	}
	return a, nil
}

// makeLink records a new link to the item's current file for p, valid
// for ttl.
func (s *Service) makeLink(ctx context.Context, p auth.Principal, mediaID, authorization string, ttl time.Duration) (downloadLink, error) {
	if _, err := s.manageLinks(ctx, p, mediaID, authorization); err != nil {
		return downloadLink{}, err
	}
	if _, err := s.store.Current(ctx, mediaID); err != nil {
		return downloadLink{}, err
	}
	now := s.now()
	l := downloadLink{ID: uuid.Must(uuid.NewV7()).String(), MediaID: mediaID, CreatedBy: p.UserID,
		CreatedAt: now, ExpiresAt: stamp(now.Add(ttl).Truncate(time.Second))}
	if err := s.store.AddLink(ctx, l); err != nil {
		return downloadLink{}, err
	}
	return l, nil
}

// activeLinks lists the item's links that have not expired.
func (s *Service) activeLinks(ctx context.Context, p auth.Principal, mediaID, authorization string) ([]downloadLink, error) {
	if _, err := s.manageLinks(ctx, p, mediaID, authorization); err != nil {
		return nil, err
	}
	return s.store.Links(ctx, mediaID, s.now())
}

// revokeLinkOf revokes one of the item's links on p's behalf.
func (s *Service) revokeLinkOf(ctx context.Context, p auth.Principal, mediaID, linkID, authorization string) error {
	if _, err := s.manageLinks(ctx, p, mediaID, authorization); err != nil {
		return err
	}
	_, err := s.store.RevokeLink(ctx, mediaID, linkID, p.UserID, s.now())
	return err
}
