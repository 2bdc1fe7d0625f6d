package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type collectionListInput struct {
	OwnerID string `query:"owner_id" doc:"Whose collections (default: yours, all of them; another user's: the public ones)"`
	PageParams
}

type collectionListOutput struct {
	Body struct {
		Items         []collectionJSON `json:"items" doc:"One page of collections, oldest first (the saved one first)"`
		NextPageToken string           `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// collectionList pages through a user's collections.
func (s *Service) collectionList(ctx context.Context, in *collectionListInput) (*collectionListOutput, error) {
	p, _ := auth.FromContext(ctx)
	owner := in.OwnerID
	if owner == "" || owner == "me" {
		if p.UserID == "" {
			return nil, errs.Unauthenticatedf("sign in to list your collections, or name owner_id")
		}
		owner = p.UserID
	}
	if !domain.ValidID(owner) {
		return nil, errs.InvalidField("query.owner_id", "is not a user ID")
	}
	var after *collectionPosition
	if in.PageToken != "" {
		after = &collectionPosition{}
		if err := httpx.DecodePageToken(in.PageToken, after); err != nil {
			return nil, err
		}
	}
	list, err := s.listCollections(ctx, p.UserID, owner, after, in.size())
	if err != nil {
		return nil, err
	}
	out := &collectionListOutput{}
	out.Body.Items = make([]collectionJSON, len(list))
	for i, c := range list {
		out.Body.Items[i] = collectionView(c)
	}
	if len(list) == in.size() {
		last := list[len(list)-1]
		out.Body.NextPageToken = httpx.EncodePageToken(collectionPosition{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	return out, nil
}
