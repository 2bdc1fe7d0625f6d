package catalog

import "context"

// MediaAccess is what the caller may do with a media item's files. storage
// asks it (forwarding the caller's token) before accepting an upload or
// serving a file that is not public: the visibility and membership rules
// stay here, where the media and its authors live.
type MediaAccess struct {
	MediaID string `json:"media_id" doc:"The media item"`
	Kind    string `json:"kind" enum:"book,document,podcast,video" doc:"Its kind, which decides the file types it accepts"`
	Status  string `json:"status" doc:"Its status"`
	Public  bool   `json:"public" doc:"Anyone may read its files: published, with every author active"`
	CanView bool   `json:"can_view" doc:"The caller may read its files"`
	CanEdit bool   `json:"can_edit" doc:"The caller may upload its files: a member of one of its authors, not suspended, item not removed"`
}

type mediaAccessOutput struct {
	Body MediaAccess
}

// mediaAccess answers 404 for an item the caller may not see at all.
func (s *Service) mediaAccess(ctx context.Context, in *MediaPath) (*mediaAccessOutput, error) {
	a, err := s.accessTo(ctx, actorOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &mediaAccessOutput{Body: MediaAccess{MediaID: a.media.ID, Kind: a.media.Kind, Status: a.media.Status,
		CanView: true, Public: a.public, CanEdit: a.canEdit}}, nil
}
