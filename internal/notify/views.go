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
	Channel string `json:"channel" enum:"in_app,email,push,mobile" doc:"Channel"`
	Enabled bool   `json:"enabled" doc:"Whether this type reaches you on this channel"`
}

func preferencesView(list []domain.Preference) []preferenceJSON {
	out := make([]preferenceJSON, len(list))
	for i, p := range list {
		out[i] = preferenceJSON{Type: p.Type, Channel: p.Channel, Enabled: p.Enabled}
	}
	return out
}

// webhookJSON is a registered webhook (never its secret).
type webhookJSON struct {
	ID         string     `json:"id" doc:"Webhook ID"`
	AuthorID   string     `json:"author_id" doc:"The author whose events are sent"`
	URL        string     `json:"url" doc:"Target URL"`
	EventTypes []string   `json:"event_types" doc:"Types sent"`
	Enabled    bool       `json:"enabled" doc:"false once disabled after repeated failures (a redelivery re-enables it)"`
	Failures   int        `json:"consecutive_failures" doc:"Failed attempts since the last success"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it was registered"`
	DisabledAt *time.Time `json:"disabled_at,omitempty" doc:"When it was disabled"`
}

// webhookCreatedJSON is a new webhook with its secret, shown once.
type webhookCreatedJSON struct {
	webhookJSON
	Secret string `json:"secret" doc:"The signing secret; shown only now"`
}

func webhookView(w domain.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, AuthorID: w.AuthorID, URL: w.URL, EventTypes: w.EventTypes, Enabled: w.Enabled,
		Failures: w.Failures, CreatedAt: w.CreatedAt, DisabledAt: w.DisabledAt}
}

// webhookDeliveryJSON is one event sent to a webhook.
type webhookDeliveryJSON struct {
	ID         string     `json:"id" doc:"Delivery ID; the webhook-id header"`
	EventType  string     `json:"event_type" doc:"Event type"`
	State      string     `json:"state" enum:"pending,sent,failed" doc:"pending (retrying), sent, or failed after the last attempt"`
	Attempts   int        `json:"attempts" doc:"Attempts so far"`
	StatusCode int        `json:"status_code" doc:"HTTP status of the last attempt (0: no answer)"`
	LastError  string     `json:"last_error,omitempty" doc:"Why the last attempt failed"`
	Payload    string     `json:"payload" doc:"The JSON body sent"`
	CreatedAt  time.Time  `json:"created_at" doc:"When the event was queued"`
	SentAt     *time.Time `json:"sent_at,omitempty" doc:"When it was accepted"`
}

func webhookDeliveryView(d webhookDelivery) webhookDeliveryJSON {
	return webhookDeliveryJSON{ID: d.ID, EventType: d.EventType, State: d.State, Attempts: d.Attempts, StatusCode: d.StatusCode,
		LastError: d.LastError, Payload: d.Payload, CreatedAt: d.CreatedAt, SentAt: d.SentAt}
}

// quietHoursJSON is a daily window without e-mail or push.
type quietHoursJSON struct {
	Start string `json:"start" doc:"HH:MM, local time"`
	End   string `json:"end" doc:"HH:MM, local time; before start: the window crosses midnight"`
}

// preferencesJSON is every choice of a user.
type preferencesJSON struct {
	Preferences []preferenceJSON `json:"preferences" doc:"Every notification type on every channel, with your choice or the default"`
	EmailDigest string           `json:"email_digest" enum:"off,daily,weekly" doc:"off: one mail per notification; daily or weekly digests at 08:00 local time (weekly: Mondays)"`
	QuietHours  *quietHoursJSON  `json:"quiet_hours" doc:"No e-mail or push in this daily window; null: none"`
	TimeZone    string           `json:"time_zone" doc:"IANA time zone of digests and quiet hours"`
}

func preferencesBody(list []domain.Preference, set domain.Settings) preferencesJSON {
	out := preferencesJSON{Preferences: preferencesView(list), EmailDigest: set.Digest, TimeZone: set.TimeZone}
	if set.QuietStart != nil && set.QuietEnd != nil {
		out.QuietHours = &quietHoursJSON{Start: domain.FormatClock(*set.QuietStart), End: domain.FormatClock(*set.QuietEnd)}
	}
	return out
}
