package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type categoryListInput struct {
	ParentID string `query:"parent_id" doc:"Only children of this category; root for the top level"`
	Status   string `query:"status" enum:"active,removed" doc:"active (default); removed is for moderators"`
	OrderBy  string `query:"order_by" enum:"slug,name" default:"slug" doc:"Order of the list"`
	PageParams
}

type categoryListOutput struct {
	Body struct {
		Items         []categoryJSON `json:"items" doc:"One page of categories"`
		NextPageToken string         `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// categoryList pages through the categories.
func (s *Service) categoryList(ctx context.Context, in *categoryListInput) (*categoryListOutput, error) {
	if in.ParentID != "" && in.ParentID != "root" && !domain.ValidID(in.ParentID) {
		return nil, errs.InvalidField("query.parent_id", "must be a category ID or root")
	}
	spec, ok := categoryOrders[in.OrderBy]
	if !ok {
		spec = categoryOrders["slug"]
	}
	after, err := decodePosition(in.PageToken, spec)
	if err != nil {
		return nil, err
	}
	items, next, err := s.listCategories(ctx, CategoryQuery{Actor: actorOf(ctx), ParentID: in.ParentID,
		Status: in.Status, Order: spec, After: after, Size: in.size()})
	if err != nil {
		return nil, err
	}
	out := &categoryListOutput{}
	out.Body.Items, out.Body.NextPageToken = categoryViews(items), next
	return out, nil
}
