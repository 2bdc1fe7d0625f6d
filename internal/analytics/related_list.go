package analytics

import "context"

// RelatedParams name the item and how many related ones to return.
type RelatedParams struct {
	ID    string `path:"id" doc:"Media ID"`
	Limit int    `query:"limit" minimum:"1" maximum:"50" default:"10" doc:"Items to return (1..50)"`
}

type relatedOutput struct {
	Body relatedJSON
}

// relatedList serves what the related-items job computed.
func (s *Service) relatedList(ctx context.Context, in *RelatedParams) (*relatedOutput, error) {
	limit := in.Limit
	if limit == 0 {
		limit = 10
	}
	rows, err := s.relatedItems(ctx, in.ID, limit)
	if err != nil {
		return nil, err
	}
	out := &relatedOutput{Body: relatedJSON{Items: make([]relatedItemJSON, len(rows))}}
	for i, r := range rows {
		out.Body.Items[i] = relatedItemJSON(r)
	}
	return out, nil
}
