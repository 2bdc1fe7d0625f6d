package identity

import (
	"context"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// clientDevice notes the User-Agent of a sign-in or refresh, which the
// session list shows as the device. It runs as a resolver, before the
// handler, and hides the header from the documented parameters.
type clientDevice struct {
	userAgent string
}

// Resolve keeps at most 200 bytes of valid UTF-8 of the User-Agent.
func (c *clientDevice) Resolve(ctx huma.Context) []error {
	ua := ctx.Header("User-Agent")
	if len(ua) > 200 {
		ua = ua[:200]
	}
	for !utf8.ValidString(ua) && ua != "" {
		ua = ua[:len(ua)-1]
	}
	c.userAgent = ua
	return nil
}

type deviceKey struct{}

// withDevice carries the device of the request to the application layer.
func withDevice(ctx context.Context, c clientDevice) context.Context {
	return context.WithValue(ctx, deviceKey{}, c.userAgent)
}

func deviceOf(ctx context.Context) string {
	ua, _ := ctx.Value(deviceKey{}).(string)
	return ua
}

type sessionListOutput struct {
	Body struct {
		Items []sessionJSON `json:"items" doc:"Your sessions that can still refresh, most recently used first"`
	}
}

func (s *Service) sessionList(ctx context.Context, _ *struct{}) (*sessionListOutput, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.listSessions(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &sessionListOutput{}
	out.Body.Items = make([]sessionJSON, 0, len(rows))
	for _, r := range rows {
		out.Body.Items = append(out.Body.Items, toSessionJSON(r, p.SessionID))
	}
	return out, nil
}
