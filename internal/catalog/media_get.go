package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// MediaPath names a media item in the path.
type MediaPath struct {
	ID string `path:"id" doc:"Media ID"`
}

// mediaGetInput is a media read, conditional on If-None-Match (the read
// cache's middleware answers 304, read_cache.go).
type mediaGetInput struct {
	MediaPath
	IfNoneMatch string `header:"If-None-Match" maxLength:"1000" doc:"ETag from the last read; 304 Not Modified when the item is still at that version"`
}

type mediaGetOutput struct {
	ETag string `header:"ETag" doc:"The media item's version"`
	Body mediaJSON
}

// mediaGet reads one media item; what the caller may not see does not exist.
func (s *Service) mediaGet(ctx context.Context, in *mediaGetInput) (*mediaGetOutput, error) {
	m, err := s.media(ctx, actorOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &mediaGetOutput{ETag: httpx.ETag(m.Version), Body: mediaView(m)}, nil
}
