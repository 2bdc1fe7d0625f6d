// Package domain holds notify's rules in plain Go: the notification types,
// the channels, what a user receives by default and how a notification reads.
package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Notification types.
const (
	TypeNewMedia         = "media.published"     // an item from what the user follows
	TypeProcessingDone   = "media.processed"     // to an author's members
	TypeProcessingFailed = "media.failed"        // to an author's members
	TypeMemberAdded      = "author.member.added" // to an author's members
	TypeReportResolved   = "report.resolved"     // to the item's members
)

// Types lists every notification type.
var Types = []string{TypeNewMedia, TypeProcessingDone, TypeProcessingFailed, TypeMemberAdded, TypeReportResolved}

// Channels.
const (
	ChannelInApp  = "in_app"
	ChannelEmail  = "email"
	ChannelPush   = "push"   // Web Push to the user's browsers
	ChannelMobile = "mobile" // FCM or SNS to the user's devices
)

// Channels lists every channel a preference may name.
var Channels = []string{ChannelInApp, ChannelEmail, ChannelPush, ChannelMobile}

// Notification is one entry of a user's inbox.
type Notification struct {
	ID        string
	UserID    string
	Type      string
	Title     string
	Body      string
	Subject   string // what it is about: media/<id>, author/<id>
	SourceKey string // what caused it; unique per user
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Preference is a user's choice for one type on one channel.
type Preference struct {
	Type    string
	Channel string
	Enabled bool
}

// DefaultEnabled says whether a channel is on for a type when the user has
// not chosen: the inbox and push (to browsers the user subscribed) always, e-mail for what concerns the user's own
// authors (processing, members, reports), not for every followed item.
func DefaultEnabled(typ, channel string) bool {
	if channel == ChannelInApp || channel == ChannelPush || channel == ChannelMobile {
		return true
	}
	return typ != TypeNewMedia
}

// Enabled resolves a channel for a type from the user's preferences.
func Enabled(prefs []Preference, typ, channel string) bool {
	for _, p := range prefs {
		if p.Type == typ && p.Channel == channel {
			return p.Enabled
		}
	}
	return DefaultEnabled(typ, channel)
}

// CheckPreference validates one preference.
func CheckPreference(p Preference) error {
	if !slices.Contains(Types, p.Type) {
		return fmt.Errorf("unknown notification type %q", p.Type)
	}
	if !slices.Contains(Channels, p.Channel) {
		return fmt.Errorf("unknown channel %q", p.Channel)
	}
	return nil
}

// ValidID reports a canonical lower-case UUID.
func ValidID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

// NewMedia is the notification of a published item for one follower.
func NewMedia(userID, mediaID, title string, at time.Time) Notification {
	if title == "" {
		title = "a new item"
	}
	return Notification{UserID: userID, Type: TypeNewMedia, Title: "New: " + title,
		Body: "Something you follow published " + quote(title) + ".", Subject: "media/" + mediaID,
		SourceKey: "published:" + mediaID, CreatedAt: at}
}

// Processed is the notification to a member that an item is ready or failed.
func Processed(userID, mediaID, title, reason string, ok bool, eventID string, at time.Time) Notification {
	if title == "" {
		title = "your item"
	}
	n := Notification{UserID: userID, Subject: "media/" + mediaID, SourceKey: "processing:" + eventID, CreatedAt: at}
	if ok {
		n.Type, n.Title, n.Body = TypeProcessingDone, "Ready: "+title, quote(title)+" was processed and can be published."
	} else {
		n.Type, n.Title, n.Body = TypeProcessingFailed, "Processing failed: "+title, quote(title)+" could not be processed: "+reason
	}
	return n
}

// MemberAdded is the notification to an author's member that someone joined.
func MemberAdded(userID, authorID, newMember, role, eventID string, at time.Time) Notification {
	title := "A new member joined your author"
	if userID == newMember {
		title = "You were added to an author"
	}
	return Notification{UserID: userID, Type: TypeMemberAdded, Title: title, Body: "Role: " + role + ".",
		Subject: "author/" + authorID, SourceKey: "member:" + eventID, CreatedAt: at}
}

// ReportResolved is the notification to a member that a report on their
// author's item (or the author) was resolved.
func ReportResolved(userID, targetType, targetID, action, eventID string, at time.Time) Notification {
	body := "A moderator reviewed a report and decided: " + action + "."
	return Notification{UserID: userID, Type: TypeReportResolved, Title: "A report was resolved", Body: body,
		Subject: targetType + "/" + targetID, SourceKey: "report:" + eventID, CreatedAt: at}
}

func quote(s string) string { return "“" + s + "”" }

// Webhook is an author's registered endpoint.
type Webhook struct {
	ID         string
	AuthorID   string
	CreatedBy  string
	URL        string
	EventTypes []string
	Secret     string
	Enabled    bool
	Failures   int
	CreatedAt  time.Time
	DisabledAt *time.Time
}

// Wants reports whether the webhook subscribes to a type.
func (w Webhook) Wants(typ string) bool { return slices.Contains(w.EventTypes, typ) }

// CheckWebhookTypes validates a webhook's event types.
func CheckWebhookTypes(types []string) error {
	if len(types) == 0 {
		return fmt.Errorf("name at least one event type")
	}
	seen := map[string]bool{}
	for _, t := range types {
		if !slices.Contains(Types, t) {
			return fmt.Errorf("unknown event type %q", t)
		}
		if seen[t] {
			return fmt.Errorf("event type %q named twice", t)
		}
		seen[t] = true
	}
	return nil
}

// Digest modes: e-mails one by one, or gathered daily or weekly.
const (
	DigestOff    = "off"
	DigestDaily  = "daily"
	DigestWeekly = "weekly"
)

// DigestHour is the local hour digests go out at (weekly: on Mondays).
const DigestHour = 8

// Settings are a user's delivery rhythm.
type Settings struct {
	Digest     string
	QuietStart *int // minutes after local midnight; nil: no quiet hours
	QuietEnd   *int
	TimeZone   string
}

// Location is the settings' time zone (UTC when unknown).
func (s Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// QuietUntil returns the end of the quiet window at t, or t when t is not
// in one. A window may cross midnight (22:00–07:00).
func (s Settings) QuietUntil(t time.Time) time.Time {
	if s.QuietStart == nil || s.QuietEnd == nil || *s.QuietStart == *s.QuietEnd {
		return t
	}
	local := t.In(s.Location())
	mins := local.Hour()*60 + local.Minute()
	start, end := *s.QuietStart, *s.QuietEnd
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
	switch {
	case start < end && mins >= start && mins < end:
		return midnight.Add(time.Duration(end) * time.Minute)
	case start > end && mins >= start:
		return midnight.AddDate(0, 0, 1).Add(time.Duration(end) * time.Minute)
	case start > end && mins < end:
		return midnight.Add(time.Duration(end) * time.Minute)
	}
	return t
}

// NextDigest returns the first digest time strictly after t.
func (s Settings) NextDigest(t time.Time) time.Time {
	local := t.In(s.Location())
	at := time.Date(local.Year(), local.Month(), local.Day(), DigestHour, 0, 0, 0, local.Location())
	for !at.After(local) || (s.Digest == DigestWeekly && at.Weekday() != time.Monday) {
		at = at.AddDate(0, 0, 1)
	}
	return at
}

// ParseClock reads "HH:MM" as minutes after midnight.
func ParseClock(v string) (int, error) {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return 0, fmt.Errorf("must be HH:MM (24 h)")
	}
	return t.Hour()*60 + t.Minute(), nil
}

// FormatClock writes minutes after midnight as "HH:MM".
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
