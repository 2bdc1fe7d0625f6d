package catalog

import (
	"context"
	"crypto/subtle"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

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

// ServiceKeyHeader carries the shared service key (config service_key) on
// a service's call made for another user.
const ServiceKeyHeader = "X-Alexandria-Service-Key"

type mediaAccessInput struct {
	MediaPath
	UserID     string `query:"user_id" doc:"Services only (with the service key): answer for this user instead of the caller, e.g. the creator of a signed download link"`
	ServiceKey string `header:"X-Alexandria-Service-Key" doc:"The deployment's service key; required with user_id"`
}

type mediaAccessOutput struct {
	Body MediaAccess
}

// mediaAccess answers 404 for an item the caller may not see at all. A
// service call for user_id always answers the item's status (removed
// included), with can_view and can_edit for that user, who is checked as
// they are now: still a member, not suspended.
func (s *Service) mediaAccess(ctx context.Context, in *mediaAccessInput) (*mediaAccessOutput, error) {
	actor := actorOf(ctx)
	forService := in.UserID != ""
	if forService {
		if s.serviceKey == "" || subtle.ConstantTimeCompare([]byte(in.ServiceKey), []byte(s.serviceKey)) != 1 {
			return nil, errs.Forbiddenf("only services may ask on another user's behalf")
		}
		// Roles are not known here: the user counts as a plain member or not.
		actor = domain.Actor{UserID: in.UserID}
	}
	a, err := s.accessTo(ctx, actor, in.ID, forService)
	if err != nil {
		return nil, err
	}
	return &mediaAccessOutput{Body: MediaAccess{MediaID: a.media.ID, Kind: a.media.Kind, Status: a.media.Status,
		Public: a.public, CanView: a.canView, CanEdit: a.canEdit}}, nil
}
