package identity

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// sessionErrors are the answers of the browser-session operations besides
// their success.
var sessionErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests}

// routes declares every operation of identity, in one table so the whole API
// surface reads at a glance; the handlers (noun_verb.go) decode, authorise,
// call the application layer (app_*.go) and encode a view (views.go).
func (s *Service) routes(d module.Deps) {
	api := d.API

	// Sessions.
	huma.Register(api, huma.Operation{
		OperationID: "token-create",
		Method:      http.MethodPost,
		Path:        "/v1/auth/token",
		Summary:     "Sign in",
		Description: "Exchange an email and password for an access token and a refresh token, or a personal API token for a short-lived access token limited to its scopes. " +
			"A password sign-in also answers a device token (device_token, and the alexandria_device cookie): send it with later sign-ins from the same device, " +
			"so that failed attempts by others, which can throttle the account (429), do not throttle you.",
		Tags:         []string{"Auth"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Errors:       []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, s.tokenCreate)
	huma.Register(api, huma.Operation{
		OperationID: "token-refresh",
		Method:      http.MethodPost,
		Path:        "/v1/auth/refresh",
		Summary:     "Refresh a session",
		Description: "Spend a refresh token for a new access token and a new refresh token. " +
			"Each refresh token works once: presenting one again revokes the whole session.",
		Tags:         []string{"Auth"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Errors:       []int{http.StatusUnauthorized, http.StatusForbidden},
	}, s.tokenRefresh)
	huma.Register(api, huma.Operation{
		OperationID: "session-delete",
		Method:      http.MethodPost,
		Path:        "/v1/auth/logout",
		Summary:     "Sign out",
		Description: "Revoke the session of the given refresh token (no access token needed: the refresh token proves the session), " +
			"or, with an access token and no refresh token, every session of the caller. The access token, if sent, must be a session's " +
			"(from a password sign-in or a refresh), not one exchanged for a personal API token (403). Identity refuses the access tokens " +
			"of an ended session at once; other services accept them until they expire.",
		Tags:          []string{"Auth"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		Security:      httpx.OptionalBearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, s.sessionDelete)
	huma.Register(api, huma.Operation{
		OperationID: "browser-session-create",
		Method:      http.MethodPost,
		Path:        sessionPath,
		Summary:     "Sign in from a browser",
		Description: "Like POST /v1/auth/token with email and password, for the web app: the refresh token is set as an HttpOnly, " +
			"SameSite=Strict cookie (alx_refresh, path " + sessionPath + ") with a CSRF cookie (alx_csrf) that script reads and " +
			"echoes in X-CSRF-Token; only the access token is in the body.",
		Tags:         []string{"Auth"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Errors:       sessionErrors,
	}, s.browserSessionCreate)
	huma.Register(api, huma.Operation{
		OperationID: "browser-session-refresh",
		Method:      http.MethodPost,
		Path:        sessionPath + "/refresh",
		Summary:     "Refresh a browser session",
		Description: "Spends the refresh cookie for a new access token and sets new cookies (single use, with reuse detection, as " +
			"POST /v1/auth/refresh). Needs X-CSRF-Token equal to the alx_csrf cookie.",
		Tags:   []string{"Auth"},
		Errors: sessionErrors,
	}, s.browserSessionRefresh)
	huma.Register(api, huma.Operation{
		OperationID:   "browser-session-delete",
		Method:        http.MethodDelete,
		Path:          sessionPath,
		Summary:       "Sign out a browser session",
		Description:   "Ends the session of the refresh cookie and clears the cookies. Needs X-CSRF-Token equal to the alx_csrf cookie.",
		Tags:          []string{"Auth"},
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity},
	}, s.browserSessionDelete)

	// Users.
	huma.Register(api, huma.Operation{
		OperationID:   "user-create",
		Method:        http.MethodPost,
		Path:          "/v1/users",
		Summary:       "Create an account",
		Description:   "Register a reader account. Sign in afterwards with POST /v1/auth/token.",
		Tags:          []string{"Users"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, s.userCreate)
	huma.Register(api, huma.Operation{
		OperationID: "user-me-get",
		Method:      http.MethodGet,
		Path:        "/v1/users/me",
		Summary:     "Get your account",
		Tags:        []string{"Users"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, s.userMeGet)
	huma.Register(api, huma.Operation{
		OperationID:  "user-me-update",
		Method:       http.MethodPatch,
		Path:         "/v1/users/me",
		Summary:      "Update your account",
		Tags:         []string{"Users"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Security:     httpx.BearerSecurity(),
		Errors:       []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusPreconditionFailed, http.StatusUnprocessableEntity},
	}, s.userMeUpdate)
	huma.Register(api, huma.Operation{
		OperationID:   "user-password-change",
		Method:        http.MethodPost,
		Path:          "/v1/users/me/password",
		Summary:       "Change your password",
		Description:   "Change the password and end every session (refresh token) of the account. At most 5 attempts per 15 minutes; a wrong current password counts as a failed sign-in.",
		Tags:          []string{"Users"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, s.userPasswordChange)
	huma.Register(api, huma.Operation{
		OperationID: "user-get",
		Method:      http.MethodGet,
		Path:        "/v1/users/{id}",
		Summary:     "Get a user",
		Description: "Administrators and the user see the whole account; anyone else sees only id and display_name of an active user.",
		Tags:        []string{"Users"},
		Errors:      []int{http.StatusNotFound},
	}, s.userGet)
	huma.Register(api, huma.Operation{
		OperationID: "user-list",
		Method:      http.MethodGet,
		Path:        "/v1/users",
		Summary:     "List users",
		Description: "Administrators only.",
		Tags:        []string{"Users"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, s.userList)
	huma.Register(api, huma.Operation{
		OperationID:  "user-update",
		Method:       http.MethodPatch,
		Path:         "/v1/users/{id}",
		Summary:      "Update a user",
		Description:  "Administrators only. An administrator cannot remove their own admin role or suspend themself.",
		Tags:         []string{"Users"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Security:     httpx.BearerSecurity(),
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed, http.StatusUnprocessableEntity},
	}, s.userUpdate)
	huma.Register(api, huma.Operation{
		OperationID:   "user-delete",
		Method:        http.MethodDelete,
		Path:          "/v1/users/{id}",
		Summary:       "Delete a user",
		Description:   "The user themself or an administrator. Deletes the account with its sessions and API tokens. The last administrator cannot be deleted.",
		Tags:          []string{"Users"},
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, s.userDelete)

	// Personal API tokens.
	huma.Register(api, huma.Operation{
		OperationID:   "api-token-create",
		Method:        http.MethodPost,
		Path:          "/v1/users/me/tokens",
		Summary:       "Create a personal API token",
		Description:   "The secret is in the response only; exchange it at POST /v1/auth/token with {\"api_token\": ...}.",
		Tags:          []string{"API tokens"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, s.apiTokenCreate)
	huma.Register(api, huma.Operation{
		OperationID: "api-token-list",
		Method:      http.MethodGet,
		Path:        "/v1/users/me/tokens",
		Summary:     "List your personal API tokens",
		Tags:        []string{"API tokens"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, s.apiTokenList)
	huma.Register(api, huma.Operation{
		OperationID:   "api-token-delete",
		Method:        http.MethodDelete,
		Path:          "/v1/users/me/tokens/{id}",
		Summary:       "Revoke a personal API token",
		Tags:          []string{"API tokens"},
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, s.apiTokenDelete)

	// Signing keys.
	huma.Register(api, huma.Operation{
		OperationID: "signing-key-list",
		Method:      http.MethodGet,
		Path:        "/v1/admin/signing-keys",
		Summary:     "List signing keys",
		Description: "Administrators only. Never shows key material.",
		Tags:        []string{"Admin"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, s.signingKeyList)
	huma.Register(api, huma.Operation{
		OperationID: "signing-key-rotate",
		Method:      http.MethodPost,
		Path:        "/v1/admin/signing-keys/rotate",
		Summary:     "Rotate the signing key",
		Description: "Administrators only. A new key signs from now on; the old one stays in the JWKS for key_retention, so no one is signed out.",
		Tags:        []string{"Admin"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, s.signingKeyRotate)

	// The JWKS is a plain route: every verifier, in any process, fetches it.
	if d.Mux != nil {
		d.Mux.Handle("GET /.well-known/jwks.json", http.HandlerFunc(s.serveJWKS))
	}
}
