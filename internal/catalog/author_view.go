package catalog

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// authorJSON is an author as the caller may see it. Who acts for an author
// is known to its members and moderators only (it ties accounts to pen
// names); everyone else gets no members field.
type authorJSON struct {
	ID        string                `json:"id" doc:"Author ID"`
	Name      string                `json:"name" doc:"Display name"`
	Bio       string                `json:"bio" doc:"Biography"`
	Links     []domain.AuthorLink   `json:"links" doc:"External links"`
	Avatar    string                `json:"avatar" doc:"Avatar image: an absolute http(s) URL"`
	Status    string                `json:"status" enum:"active,removed" doc:"removed authors are hidden from everyone but their members and moderators"`
	RemovedBy string                `json:"removed_by,omitempty" enum:"owner,moderator" doc:"Who removed a removed author: owner (its owners or moderators may restore it) or moderator (only moderators may)"`
	Members   []domain.AuthorMember `json:"members,omitempty" doc:"Accounts acting for the author; only for its members and moderators"`
	CreatedAt time.Time             `json:"created_at" doc:"Creation time"`
	UpdatedAt time.Time             `json:"updated_at" doc:"Last change"`
	Version   int64                 `json:"version" doc:"Increments on every change; the ETag"`
}

// authorView is a as actor may see it.
func authorView(a domain.Author, actor domain.Actor) authorJSON {
	out := authorJSON{ID: a.ID, Name: a.Name, Bio: a.Bio, Links: a.Links, Avatar: a.Avatar, Status: a.Status,
		RemovedBy: a.RemovedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}
	if a.MembersVisibleTo(actor) {
		out.Members = a.Members
	}
	return out
}

func authorViews(list []domain.Author, actor domain.Actor) []authorJSON {
	out := make([]authorJSON, len(list))
	for i, a := range list {
		out[i] = authorView(a, actor)
	}
	return out
}
