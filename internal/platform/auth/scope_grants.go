package auth

import "net/http"

// Route-level scope grants: the few routes that a token holding only a
// narrow scope may call although the method would otherwise need "read" or
// "write". Each grant names one method and one route pattern (the syntax of
// http.ServeMux, the routes' own); nothing else is opened, and the service
// behind the route still checks who the caller is.
var scopeGrants = []struct {
	pattern string // "METHOD /path/{param}"
	scope   string
}{
	// A device or an e-reader plugin reports progress with a personal API
	// token limited to progress:write (the same token MQTT accepts).
	{"PUT /v1/users/me/progress/{media_id}", ScopeProgressWrite},
}

// grantMuxes has one matcher per scope, built from scopeGrants.
var grantMuxes = func() map[string]*http.ServeMux {
	out := map[string]*http.ServeMux{}
	for _, g := range scopeGrants {
		mux := out[g.scope]
		if mux == nil {
			mux = http.NewServeMux()
			out[g.scope] = mux
		}
		mux.Handle(g.pattern, http.NotFoundHandler())
	}
	return out
}()

// grantedByScope reports whether one of p's scopes is granted r's route.
func grantedByScope(p Principal, r *http.Request) bool {
	for scope, mux := range grantMuxes {
		if !p.Can(scope) {
			continue
		}
		if _, pattern := mux.Handler(r); pattern != "" {
			return true
		}
	}
	return false
}
