package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// MediaPath names a media item in the path.
type MediaPath struct {
	ID string `path:"id" doc:"Media ID"`
}

type mediaGetOutput struct {
	ETag string `header:"ETag" doc:"The media item's version"`
	Body mediaJSON
}

// mediaGet reads one media item; what the caller may not see does not exist.
func (s *Service) mediaGet(ctx context.Context, in *MediaPath) (*mediaGetOutput, error) {
	m, err := s.media(ctx, actorOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &mediaGetOutput{ETag: httpx.ETag(m.Version), Body: mediaView(m)}, nil
}
