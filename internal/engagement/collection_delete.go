package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// collectionDelete deletes the caller's collection (not the saved one).
func (s *Service) collectionDelete(ctx context.Context, in *CollectionPath) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.deleteCollection(ctx, p.UserID, in.ID)
}
