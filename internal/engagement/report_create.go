package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type reportCreateInput struct {
	Authorization string `header:"Authorization" doc:"Bearer access token"`
	Body          struct {
		TargetType string `json:"target_type" enum:"media,author,user" doc:"What you report"`
		TargetID   string `json:"target_id" doc:"Its ID"`
		Reason     string `json:"reason" enum:"spam,abuse,copyright,illegal,other" doc:"Why"`
		Note       string `json:"note,omitempty" maxLength:"2000" doc:"Anything the moderators should know"`
	}
}

type reportOutput struct {
	Body reportJSON
}

// reportCreate reports something that exists and is visible to moderators.
func (s *Service) reportCreate(ctx context.Context, in *reportCreateInput) (*reportOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.createReport(ctx, p, in.Authorization, reportInput{TargetType: in.Body.TargetType, TargetID: in.Body.TargetID,
		Reason: in.Body.Reason, Note: in.Body.Note})
	if err != nil {
		return nil, err
	}
	return &reportOutput{Body: reportView(r)}, nil
}
