package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type itemListOutput struct {
	Body struct {
		Items         []collectionItemJSON `json:"items" doc:"One page of items, in the collection's order"`
		NextPageToken string               `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

type itemListInput struct {
	CollectionPath
	PageParams
}

type itemPosition struct {
	Position int64 `json:"p"`
}

// collectionItemList pages through a readable collection's items.
func (s *Service) collectionItemList(ctx context.Context, in *itemListInput) (*itemListOutput, error) {
	p, _ := auth.FromContext(ctx)
	var after *int64
	if in.PageToken != "" {
		var pos itemPosition
		if err := httpx.DecodePageToken(in.PageToken, &pos); err != nil {
			return nil, err
		}
		after = &pos.Position
	}
	_, items, err := s.collectionItems(ctx, p.UserID, in.ID, after, in.size())
	if err != nil {
		return nil, err
	}
	out := &itemListOutput{}
	out.Body.Items = make([]collectionItemJSON, len(items))
	for i, it := range items {
		out.Body.Items[i] = collectionItemJSON{MediaID: it.MediaID, Position: it.Position, AddedAt: it.AddedAt.UTC()}
	}
	if len(items) == in.size() {
		out.Body.NextPageToken = httpx.EncodePageToken(itemPosition{Position: items[len(items)-1].Position})
	}
	return out, nil
}

type itemAddInput struct {
	CollectionPath
	Body struct {
		MediaID string `json:"media_id" doc:"A published media item"`
	}
}

type itemAddOutput struct {
	Body struct {
		Added bool `json:"added" doc:"false when it was in the collection already (it keeps its place)"`
	}
}

// collectionItemAdd appends a visible item to the caller's collection.
func (s *Service) collectionItemAdd(ctx context.Context, in *itemAddInput) (*itemAddOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	added, err := s.addCollectionItem(ctx, p.UserID, in.ID, in.Body.MediaID)
	if err != nil {
		return nil, err
	}
	out := &itemAddOutput{}
	out.Body.Added = added
	return out, nil
}

type itemRemoveInput struct {
	CollectionPath
	MediaID string `path:"media_id" doc:"The item to take out"`
}

// collectionItemRemove takes an item out of the caller's collection.
func (s *Service) collectionItemRemove(ctx context.Context, in *itemRemoveInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.removeCollectionItem(ctx, p.UserID, in.ID, in.MediaID)
}

type itemReorderInput struct {
	CollectionPath
	Body struct {
		MediaIDs []string `json:"media_ids" maxItems:"5000" doc:"Every item of the collection, in the new order"`
	}
}

// collectionItemReorder puts the caller's collection in a new order.
func (s *Service) collectionItemReorder(ctx context.Context, in *itemReorderInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.reorderCollection(ctx, p.UserID, in.ID, in.Body.MediaIDs)
}
