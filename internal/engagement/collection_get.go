package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// CollectionPath names a collection; "saved" is the caller's saved one.
type CollectionPath struct {
	ID string `path:"id" maxLength:"36" doc:"Collection ID, or saved"`
}

// collectionGet reads the caller's collection or a public one.
func (s *Service) collectionGet(ctx context.Context, in *CollectionPath) (*collectionOutput, error) {
	p, _ := auth.FromContext(ctx)
	c, err := s.readableCollection(ctx, s.store, p.UserID, in.ID)
	if err != nil {
		return nil, err
	}
	return &collectionOutput{Body: collectionView(c)}, nil
}
