package analytics

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type lakeCompactOutput struct {
	Body struct {
		Written   int `json:"written" doc:"Events written to new lake files"`
		Compacted int `json:"compacted" doc:"Partitions (type and hour) merged into one file"`
	}
}

// lakeCompact flushes and compacts the lake now (admins only).
func (s *Service) lakeCompact(ctx context.Context, _ *struct{}) (*lakeCompactOutput, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	out := &lakeCompactOutput{}
	var err error
	if out.Body.Written, err = s.flushLake(ctx); err != nil {
		return nil, err
	}
	if out.Body.Compacted, err = s.compactLake(ctx, s.now().Add(-s.compactAfter)); err != nil {
		return nil, err
	}
	return out, nil
}
