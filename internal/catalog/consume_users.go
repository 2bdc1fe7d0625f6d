package catalog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Suspended and deleted accounts. Identity ends their sessions at once, but
// an access token already issued stays valid until it expires (15 minutes by
// default) and catalog verifies tokens locally. So catalog follows
// identity's events into blocked_users and refuses writes by a blocked
// account (requireActor). What remains is the window between identity's
// change and the event's arrival here: normally well under a second, longer
// while the bus or catalog is down (the event waits in identity's outbox).
// Reads stay open: they are what anonymous callers may do anyway.

// Reasons in blocked_users.
const (
	blockSuspended = "suspended"
	blockDeleted   = "deleted"
)

// userStatusEvent is what catalog reads of identity's user events.
type userStatusEvent struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

// onUserStatus returns the consumer of an identity event that blocks
// (suspension, deletion) or unblocks (reinstatement) the user.
func (s *Service) onUserStatus(blocked bool, reason string) func(ctx context.Context, st *Store, e bus.Event) error {
	return func(ctx context.Context, st *Store, e bus.Event) error {
		var u userStatusEvent
		if err := json.Unmarshal(e.Data, &u); err != nil {
			return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
		}
		if !domain.ValidID(u.ID) {
			return fmt.Errorf("%s %s: payload has no valid id", e.Type, e.ID)
		}
		return s.setUserStatus(ctx, st, u.ID, blocked, reason, u.Version)
	}
}
