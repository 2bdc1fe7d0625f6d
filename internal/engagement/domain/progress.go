package domain

import (
	"math"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// FinishedPercent is where an item counts as finished.
const FinishedPercent = 95

// MaxClockAhead is how far in the future a client_time may be: a device
// whose clock runs further ahead is refused rather than allowed to win every
// later update.
const MaxClockAhead = 24 * time.Hour

// Position is where a user is in an item: seconds (audio, video), page of
// pages (books, documents), or an EPUB CFI with a percent.
type Position struct {
	Seconds *float64
	Page    *int
	Pages   *int
	CFI     string
	Percent *float64
}

// Progress is a user's position in one item, as last reported.
type Progress struct {
	UserID     string
	MediaID    string
	Position   Position
	Percent    float64
	Finished   bool
	Device     string
	ClientTime time.Time
	UpdatedAt  time.Time
}

// NewProgress checks a reported position against the item and computes its
// percent. Fields are named as in the request body.
func NewProgress(userID string, m Media, pos Position, device string, clientTime, now time.Time) (Progress, error) {
	var v errs.Validation
	forms := 0
	if pos.Seconds != nil {
		forms++
	}
	if pos.Page != nil {
		forms++
	}
	if pos.CFI != "" {
		forms++
	}
	if forms != 1 {
		v.Add("body", "give exactly one position: seconds, page (with pages), or cfi (with percent)")
		return Progress{}, v.Err()
	}
	var percent float64
	switch {
	case pos.Seconds != nil:
		s := *pos.Seconds
		switch {
		case s < 0 || math.IsNaN(s):
			v.Add("body.seconds", "must be 0 or more")
		case m.DurationSeconds != nil && s > *m.DurationSeconds+1:
			v.Add("body.seconds", "is beyond the item's length (%.0f s)", *m.DurationSeconds)
		case m.DurationSeconds != nil && *m.DurationSeconds > 0:
			percent = math.Min(100, 100*s / *m.DurationSeconds)
		case pos.Percent != nil:
			percent = *pos.Percent
		}
	case pos.Page != nil:
		p := *pos.Page
		pages := pos.Pages
		if m.Pages != nil {
			if pages != nil && *pages != *m.Pages {
				v.Add("body.pages", "the item has %d pages", *m.Pages)
			}
			pages = m.Pages
		}
		switch {
		case pages == nil:
			v.Add("body.pages", "is required with page (the item's length is not known yet)")
		case *pages < 1:
			v.Add("body.pages", "must be 1 or more")
		case p < 1:
			v.Add("body.page", "must be 1 or more")
		case p > *pages:
			v.Add("body.page", "is beyond the item's length (%d pages)", *pages)
		default:
			percent = 100 * float64(p) / float64(*pages)
			pos.Pages = pages
		}
	default:
		if len(pos.CFI) > 1000 || len(pos.CFI) < 8 || pos.CFI[:8] != "epubcfi(" {
			v.Add("body.cfi", "must be an EPUB CFI: epubcfi(...)")
		}
		if pos.Percent == nil {
			v.Add("body.percent", "is required with cfi")
		} else {
			percent = *pos.Percent
		}
	}
	if pos.Percent != nil && (*pos.Percent < 0 || *pos.Percent > 100) {
		v.Add("body.percent", "must be between 0 and 100")
	}
	if device == "" || len(device) > 100 {
		v.Add("body.device", "must be 1 to 100 characters")
	}
	if clientTime.IsZero() {
		v.Add("body.client_time", "is required")
	} else if clientTime.After(now.Add(MaxClockAhead)) {
		v.Add("body.client_time", "is more than 24 h ahead of the server's clock")
	}
	if err := v.Err(); err != nil {
		return Progress{}, err
	}
	return Progress{UserID: userID, MediaID: m.ID, Position: pos, Percent: percent,
		Finished: percent >= FinishedPercent, Device: device, ClientTime: clientTime, UpdatedAt: now}, nil
}

// Supersedes reports whether p replaces old: the later client_time wins,
// whatever order the updates arrive in; on a tie the stored one stays (a
// replay changes nothing).
func (p Progress) Supersedes(old Progress) bool { return p.ClientTime.After(old.ClientTime) }
