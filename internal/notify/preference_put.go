package notify

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// settingsFrom checks and builds the rhythm part of a preferences PUT.
func settingsFrom(digest string, quiet *quietHoursJSON, tz string) (domain.Settings, error) {
	var v errs.Validation
	set := domain.Settings{Digest: digest, TimeZone: tz}
	if set.Digest == "" {
		set.Digest = domain.DigestOff
	}
	if set.TimeZone == "" {
		set.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(set.TimeZone); err != nil {
		v.Add("body.time_zone", "not an IANA time zone")
	}
	if quiet != nil {
		start, err1 := domain.ParseClock(quiet.Start)
		end, err2 := domain.ParseClock(quiet.End)
		if err1 != nil {
			v.Add("body.quiet_hours.start", "%s", err1.Error())
		}
		if err2 != nil {
			v.Add("body.quiet_hours.end", "%s", err2.Error())
		}
		if err1 == nil && err2 == nil && start == end {
			v.Add("body.quiet_hours.end", "must differ from start")
		}
		set.QuietStart, set.QuietEnd = &start, &end
	}
	return set, v.Err()
}

type preferencesPutInput struct {
	Body struct {
		Preferences []preferenceJSON `json:"preferences" maxItems:"100" doc:"Your choices; pairs not named go back to the default"`
		EmailDigest string           `json:"email_digest,omitempty" enum:"off,daily,weekly" doc:"off (default): one mail per notification; daily or weekly: one mail at 08:00 in your time zone (weekly: Mondays) listing them"`
		QuietHours  *quietHoursJSON  `json:"quiet_hours,omitempty" doc:"No e-mail or push in this daily window (they wait for its end); absent: none"`
		TimeZone    string           `json:"time_zone,omitempty" maxLength:"64" doc:"IANA time zone for digests and quiet hours (default UTC)"`
	}
}

// preferencesPut replaces the caller's choices.
func (s *Service) preferencesPut(ctx context.Context, in *preferencesPutInput) (*preferencesOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	prefs := make([]domain.Preference, len(in.Body.Preferences))
	for i, x := range in.Body.Preferences {
		prefs[i] = domain.Preference{Type: x.Type, Channel: x.Channel, Enabled: x.Enabled}
	}
	set, err := settingsFrom(in.Body.EmailDigest, in.Body.QuietHours, in.Body.TimeZone)
	if err != nil {
		return nil, err
	}
	list, err := s.putPreferences(ctx, p.UserID, prefs, set)
	if err != nil {
		return nil, err
	}
	return &preferencesOutput{Body: preferencesBody(list, set)}, nil
}
