package notify

import (
	"html"
	"net/http"
	"net/url"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// unsubscribePost is the RFC 8058 one-click unsubscribe: the mail client
// POSTs List-Unsubscribe=One-Click to the signed link from the mail.
func (s *Service) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	if err := s.unsubscribe(r.Context(), r.URL.Query().Get("token")); err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// unsubscribePage answers a person following the link: a GET changes
// nothing (link scanners fetch it), it shows a button that POSTs.
func (s *Service) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`<!doctype html><html><body><form method="post" action="?token=` + html.EscapeString(url.QueryEscape(token)) +
		`"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button>Stop these e-mails</button></form></body></html>`))
}
