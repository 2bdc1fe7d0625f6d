package engagement

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// A personal API token limited to progress:write saves progress over HTTP
// and may do nothing else.
func TestProgressTokenOverHTTP(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		device := uuid.NewString()
		c.tokens[device] = c.h.Issuer.TokenWithScopes(device, []string{auth.ScopeProgressWrite}, "reader")
		mid := c.publishedVideo(1000)
		at := time.Now().UTC().Format(time.RFC3339)
		if r := c.expect(200, "PUT", "/v1/users/me/progress/"+mid, device, map[string]any{"seconds": 120, "device": "e-reader", "client_time": at}); r.body["applied"] != true {
			t.Fatalf("progress put = %s", r.raw)
		}
		c.expect(http.StatusForbidden, "GET", "/v1/users/me/progress", device, nil)
		c.expect(http.StatusForbidden, "PUT", "/v1/media/"+mid+"/like", device, nil)
		c.expect(http.StatusForbidden, "POST", "/v1/collections", device, map[string]any{"name": "x"})
		c.expect(http.StatusForbidden, "GET", "/v1/media/"+mid+"/stats", device, nil)
		// The position was saved for the token's user: a full token reads it.
		c.tokens[device] = c.h.Issuer.Token(device, "reader")
		if l := c.expect(200, "GET", "/v1/users/me/progress", device, nil).items(); len(l) != 1 || l[0]["seconds"] != float64(120) {
			t.Fatalf("saved progress: %v", l)
		}
	})
}
