package engagement

import "context"

// AuthorPath names an author in the path.
type AuthorPath struct {
	ID string `path:"id" doc:"Author ID"`
}

type authorStatsOutput struct {
	Body authorStatsJSON
}

// authorStatsGet reads an active author's counts.
func (s *Service) authorStatsGet(ctx context.Context, in *AuthorPath) (*authorStatsOutput, error) {
	c, err := s.authorStats(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &authorStatsOutput{Body: authorStatsJSON(c)}, nil
}
