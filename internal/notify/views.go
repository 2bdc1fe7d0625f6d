package notify

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

// notificationJSON is one inbox entry.
type notificationJSON struct {
	ID        string     `json:"id" doc:"Notification ID (UUIDv7; newer is greater); the SSE event ID"`
	Type      string     `json:"type" enum:"media.published,media.processed,media.failed,author.member.added,report.resolved" doc:"What happened"`
	Title     string     `json:"title" doc:"One line"`
	Body      string     `json:"body" doc:"A sentence or two"`
	Subject   string     `json:"subject" doc:"What it is about: media/<id> or author/<id>"`
	CreatedAt time.Time  `json:"created_at" doc:"When it was written"`
	ReadAt    *time.Time `json:"read_at" doc:"When you marked it read; null while unread"`
}

func notificationView(n domain.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Type: n.Type, Title: n.Title, Body: n.Body, Subject: n.Subject, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// preferenceJSON is one type and channel choice.
type preferenceJSON struct {
	Type    string `json:"type" enum:"media.published,media.processed,media.failed,author.member.added,report.resolved" doc:"Notification type"`
	Channel string `json:"channel" enum:"in_app,email" doc:"Channel"`
	Enabled bool   `json:"enabled" doc:"Whether this type reaches you on this channel"`
}

func preferencesView(list []domain.Preference) []preferenceJSON {
	out := make([]preferenceJSON, len(list))
	for i, p := range list {
		out[i] = preferenceJSON{Type: p.Type, Channel: p.Channel, Enabled: p.Enabled}
	}
	return out
}
