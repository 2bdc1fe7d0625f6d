package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type preferencesPutInput struct {
	Body struct {
		Preferences []preferenceJSON `json:"preferences" maxItems:"100" doc:"Your choices; pairs not named go back to the default"`
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
	list, err := s.putPreferences(ctx, p.UserID, prefs)
	if err != nil {
		return nil, err
	}
	out := &preferencesOutput{}
	out.Body.Preferences = preferencesView(list)
	return out, nil
}
