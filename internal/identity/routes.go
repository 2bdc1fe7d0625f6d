package identity

import (
	"net/http"

	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// routes registers every operation of identity.
func (s *Service) routes(d module.Deps) {
	api := d.API
	s.registerTokenCreate(api)
	s.registerTokenRefresh(api)
	s.registerLogout(api)
	s.registerBrowserSession(api)

	s.registerUserRegister(api)
	s.registerUserMe(api)
	s.registerUserMeUpdate(api)
	s.registerPasswordChange(api)
	s.registerUserGet(api)
	s.registerUserList(api)
	s.registerUserUpdate(api)
	s.registerUserDelete(api)

	s.registerAPITokenCreate(api)
	s.registerAPITokenList(api)
	s.registerAPITokenDelete(api)

	s.registerSigningKeyList(api)
	s.registerSigningKeyRotate(api)
	if d.Mux != nil {
		d.Mux.Handle("GET /.well-known/jwks.json", http.HandlerFunc(s.serveJWKS))
	}
}
