package identity

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// routes declares every operation of identity, in one table so the whole API
// surface reads at a glance; the handlers (noun_verb.go) decode, authorise,
// call the application layer (app*.go) and encode a view (views.go).
func (s *Service) routes(d module.Deps) {
	api := d.API
	const (
		get, post, patch, del                    = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
		authTag, users, tokens, admin            = "Auth", "Users", "API tokens", "Admin"
		ok, created, none                        = 0, http.StatusCreated, http.StatusNoContent // ok: huma's default
		e401, e403, e404, e409, e412, e422, e429 = http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusConflict, http.StatusPreconditionFailed, http.StatusUnprocessableEntity, http.StatusTooManyRequests
	)

	// Sessions.
	huma.Register(api, op("token-create", post, "/v1/auth/token", authTag, "Sign in", ok, jsonBody, e401, e403, e422, e429), s.tokenCreate)
	huma.Register(api, op("token-refresh", post, "/v1/auth/refresh", authTag, "Refresh a session", ok, jsonBody, e401, e403), s.tokenRefresh)
	huma.Register(api, op("session-delete", post, "/v1/auth/logout", authTag, "Sign out", none, jsonBody|optionalBearer, e401, e403, e404), s.sessionDelete)
	huma.Register(api, op("browser-session-create", post, sessionPath, authTag, "Sign in from a browser", ok, jsonBody, sessionErrors...), s.browserSessionCreate)
	huma.Register(api, op("browser-session-refresh", post, sessionPath+"/refresh", authTag, "Refresh a browser session", ok, public, sessionErrors...), s.browserSessionRefresh)
	huma.Register(api, op("browser-session-delete", del, sessionPath, authTag, "Sign out a browser session", none, public, e403, e422), s.browserSessionDelete)

	// OpenID Connect sign-in.
	huma.Register(api, op("oidc-provider-list", get, "/v1/auth/oidc/providers", authTag, "List sign-in providers", ok, public), s.oidcProviderList)
	huma.Register(api, op("oidc-start", get, oidcPath+"{provider}/start", authTag, "Sign in with a provider", http.StatusFound, optionalBearer, e401, e403, e404, e422), s.oidcStartOp)
	huma.Register(api, op("oidc-callback", get, oidcPath+"{provider}/callback", authTag, "Provider sign-in callback", ok, public, e401, e403, e404, e409, e422), s.oidcCallbackOp)

	// Users.
	huma.Register(api, op("user-create", post, "/v1/users", users, "Create an account", created, jsonBody, e409, e422), s.userCreate)
	huma.Register(api, op("user-me-get", get, "/v1/users/me", users, "Get your account", ok, bearer, e401, e403), s.userMeGet)
	huma.Register(api, op("user-me-update", patch, "/v1/users/me", users, "Update your account", ok, jsonBody|bearer, e401, e403, e412, e422), s.userMeUpdate)
	e400, e410 := http.StatusBadRequest, http.StatusGone
	huma.Register(api, op("email-verify", post, "/v1/users/me/email/verify", users, "Verify your e-mail address", http.StatusAccepted, jsonBody|bearer, e400, e401, e403, e410, e422, e429), s.emailVerify)
	huma.Register(api, op("password-reset", post, "/v1/auth/password-reset", authTag, "Ask for a password reset link", http.StatusAccepted, jsonBody, e403, e422, e429), s.passwordReset)
	huma.Register(api, op("password-reset-confirm", post, "/v1/auth/password-reset/confirm", authTag, "Set a new password with a reset link", none, jsonBody, e400, e403, e410, e422), s.passwordResetConfirm)
	huma.Register(api, op("user-password-change", post, "/v1/users/me/password", users, "Change your password", none, jsonBody|bearer, e401, e403, e422, e429), s.userPasswordChange)
	huma.Register(api, op("user-get", get, "/v1/users/{id}", users, "Get a user", ok, public, e404), s.userGet)
	huma.Register(api, op("user-list", get, "/v1/users", users, "List users", ok, bearer, e401, e403, e422), s.userList)
	huma.Register(api, op("user-update", patch, "/v1/users/{id}", users, "Update a user", ok, jsonBody|bearer, e401, e403, e404, e409, e412, e422), s.userUpdate)
	huma.Register(api, op("user-suspend", post, "/v1/users/{id}/suspension", users, "Suspend a user", ok, jsonBody|bearer, e401, e403, e404, e409, e422), s.userSuspend)
	huma.Register(api, op("user-reinstate", del, "/v1/users/{id}/suspension", users, "Reinstate a user", ok, bearer, e401, e403, e404, e409), s.userReinstate)
	huma.Register(api, op("user-delete", del, "/v1/users/{id}", users, "Delete a user", none, bearer, e401, e403, e404, e409), s.userDelete)

	// Sign-in sessions of the caller.
	huma.Register(api, op("session-list", get, "/v1/users/me/sessions", users, "List your sessions", ok, bearer, e401, e403), s.sessionList)
	huma.Register(api, op("session-end", del, "/v1/users/me/sessions/{id}", users, "End one of your sessions", none, bearer, e401, e403, e404), s.sessionEnd)
	huma.Register(api, op("session-end-all", del, "/v1/users/me/sessions", users, "End your sessions", none, bearer, e401, e403), s.sessionEndAll)

	// Second factors.
	huma.Register(api, op("second-factor-get", get, "/v1/users/me/second-factor", users, "Your second factors", ok, bearer, e401, e403), s.secondFactorGet)
	huma.Register(api, op("totp-create", post, "/v1/users/me/totp", users, "Set up an authenticator app", created, bearer, e401, e403, e409), s.totpCreate)
	huma.Register(api, op("totp-confirm", post, "/v1/users/me/totp/confirm", users, "Confirm an authenticator app", ok, jsonBody|bearer, e401, e403, e409, e422), s.totpConfirm)
	huma.Register(api, op("totp-delete", post, "/v1/users/me/totp/disable", users, "Turn the second factor off", none, jsonBody|bearer, e401, e403, e422), s.totpDelete)

	// Passkeys.
	huma.Register(api, op("passkey-begin", post, "/v1/users/me/passkeys/options", users, "Start registering a passkey", ok, bearer, e401, e403), s.passkeyBegin)
	huma.Register(api, op("passkey-create", post, "/v1/users/me/passkeys", users, "Register a passkey", created, jsonBody|bearer, e401, e403, e409, e422), s.passkeyFinish)
	huma.Register(api, op("passkey-list", get, "/v1/users/me/passkeys", users, "List your passkeys", ok, bearer, e401, e403), s.passkeyList)
	huma.Register(api, op("oidc-identity-list", get, "/v1/users/me/oidc-identities", users, "List your linked sign-in providers", ok, bearer, e401, e403), s.oidcIdentityList)
	huma.Register(api, op("oidc-identity-delete", del, "/v1/users/me/oidc-identities/{provider}", users, "Unlink a sign-in provider", none, bearer, e401, e403, e404, e409), s.oidcIdentityDelete)
	huma.Register(api, op("passkey-delete", del, "/v1/users/me/passkeys/{id}", users, "Remove a passkey", none, bearer, e401, e403, e404), s.passkeyDelete)
	huma.Register(api, op("passkey-signin-begin", post, "/v1/auth/passkey/options", authTag, "Start a passkey sign-in", ok, public), s.passkeySignInBegin)
	huma.Register(api, op("passkey-signin", post, "/v1/auth/passkey", authTag, "Sign in with a passkey", ok, jsonBody, e401, e403, e422, e429), s.passkeySignIn)

	// Personal API tokens.
	huma.Register(api, op("api-token-create", post, "/v1/users/me/tokens", tokens, "Create a personal API token", created, jsonBody|bearer, e401, e403, e422), s.apiTokenCreate)
	huma.Register(api, op("api-token-list", get, "/v1/users/me/tokens", tokens, "List your personal API tokens", ok, bearer, e401, e403, e422), s.apiTokenList)
	huma.Register(api, op("api-token-delete", del, "/v1/users/me/tokens/{id}", tokens, "Revoke a personal API token", none, bearer, e401, e403, e404), s.apiTokenDelete)

	// Signing keys.
	huma.Register(api, op("signing-key-list", get, "/v1/admin/signing-keys", admin, "List signing keys", ok, bearer, e401, e403), s.signingKeyList)
	huma.Register(api, op("signing-key-rotate", post, "/v1/admin/signing-keys/rotate", admin, "Rotate the signing key", ok, bearer, e401, e403), s.signingKeyRotate)

	// The JWKS is a plain route: every verifier, in any process, fetches it.
	if d.Mux != nil {
		d.Mux.Handle("GET /.well-known/jwks.json", http.HandlerFunc(s.serveJWKS))
		d.Mux.Handle("GET "+auth.RevocationsPath, http.HandlerFunc(s.serveRevocations))
	}
}

// sessionErrors are the answers of the browser sign-in and refresh besides
// their success.
var sessionErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests}

// opFlags say what an operation takes besides its parameters.
type opFlags int

const (
	public         opFlags = 0
	jsonBody       opFlags = 1 << iota // a JSON body of at most httpx.MaxJSONBody
	bearer                             // an access token is required
	optionalBearer                     // an access token is accepted
)

// op is one row of the table: the operation, its description from
// descriptions, its default status (0: huma's) and the errors it documents.
func op(id, method, path, tag, summary string, status int, flags opFlags, errors ...int) huma.Operation {
	o := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Description: descriptions[id],
		Tags: []string{tag}, DefaultStatus: status, Errors: errors}
	if flags&jsonBody != 0 {
		o.MaxBodyBytes = httpx.MaxJSONBody
	}
	switch {
	case flags&bearer != 0:
		o.Security = httpx.BearerSecurity()
	case flags&optionalBearer != 0:
		o.Security = httpx.OptionalBearerSecurity()
	}
	return o
}

// descriptions are the operations' longer explanations, by operation ID.
var descriptions = map[string]string{ //nolint:gosec // API documentation text, no credentials
	"token-create": "Exchange an email and password for an access token and a refresh token, or a personal API token for a short-lived access token limited to its scopes. " +
		"A password sign-in also answers a device token (device_token, and the alexandria_device cookie): send it with later sign-ins from the same device, " +
		"so that failed attempts by others, which can throttle the account (429), do not throttle you.",
	"token-refresh": "Spend a refresh token for a new access token and a new refresh token. " +
		"Each refresh token works once: presenting one again revokes the whole session.",
	"session-delete": "Revoke the session of the given refresh token (no access token needed: the refresh token proves the session), " +
		"or, with an access token and no refresh token, every session of the caller. The access token, if sent, must be a session's " +
		"(from a password sign-in or a refresh), not one exchanged for a personal API token (403). Every service refuses the access tokens " +
		"of an ended session within a second (identity at once).",
	"browser-session-create": "Like POST /v1/auth/token with email and password, for the web app: the refresh token is set as an HttpOnly, " +
		"SameSite=Strict cookie (alx_refresh, path " + sessionPath + ") with a CSRF cookie (alx_csrf) that script reads and " +
		"echoes in X-CSRF-Token; only the access token is in the body.",
	"browser-session-refresh": "Spends the refresh cookie for a new access token and sets new cookies (single use, with reuse detection, as " +
		"POST /v1/auth/refresh). Needs X-CSRF-Token equal to the alx_csrf cookie.",
	"browser-session-delete": "Ends the session of the refresh cookie and clears the cookies. Needs X-CSRF-Token equal to the alx_csrf cookie.",
	"user-create":            "Register a reader account. Sign in afterwards with POST /v1/auth/token.",
	"email-verify": "Without a body (or with {}), mails a verification link to your address again (202; nothing is sent when it is verified already; at most 5 an hour). " +
		"With {\"token\": ...} from the link, marks the address verified (204). A token works once, until it expires (identity.email_verify_ttl, 48 h by default), " +
		"only for the account and address it was sent to: an unknown or foreign token is 400, a used or expired one 410, each naming token.",
	"password-reset": "Mails a link to reset the password to the account with this address, if there is one. The answer is 202 either way, so it tells " +
		"nobody whether an account exists; requests are limited per client address (429) and per e-mail address (further ones are dropped silently).",
	"password-reset-confirm": "Sets the password with the token from the reset link (the sign-up password rules apply, 422 naming new_password) and ends every session " +
		"of the account: its refresh tokens stop working and its access tokens are refused everywhere within a second. The token works once, until it expires " +
		"(identity.password_reset_ttl, 1 h by default): an unknown token is 400, a used or expired one 410, each naming token. Following the link also verifies the address.",
	"user-password-change": "Change the password and end every other session (refresh token) of the account; the session of the access token sent stays. At most 5 attempts per 15 minutes; a wrong current password counts as a failed sign-in. Needs a session's access token (403 for one exchanged for a personal API token).",
	"user-get":             "Administrators and the user see the whole account; anyone else sees only id and display_name of an active user.",
	"user-list":            "Administrators only.",
	"user-update":          "Administrators only. An administrator cannot remove their own admin role or suspend themself.",
	"user-suspend": "Moderators and administrators. Suspends the account as PATCH /v1/users/{id} {\"suspended\": true} does: its sessions end, its tokens are refused " +
		"on every service within a second and identity.user.suspended is published. Moderators may suspend only readers and authors; administrators anyone " +
		"but themselves. The optional reason goes to the logs.",
	"user-reinstate":     "Moderators and administrators, with the same limits as suspending: lifts a suspension; the user signs in again.",
	"user-delete":        "The user themself or an administrator. Deletes the account with its sessions and API tokens. The last administrator cannot be deleted.",
	"session-list":       "Your sign-in sessions that can still refresh: device (User-Agent), address and time of the sign-in or last refresh; current marks the one of this request.",
	"session-end":        "Ends the session: its refresh token stops working and its access tokens are refused on every service within a second.",
	"session-end-all":    "Ends every session of yours, or every other one with keep_current=true. Needs a session's access token (not one exchanged for a personal API token).",
	"totp-create":        "Makes a new TOTP secret (SHA-1, 6 digits, 30 s) and answers it with an otpauth:// URL; it counts once confirmed. Refused (409) while a confirmed one exists. Needs a session's access token.",
	"totp-confirm":       "Checks a first code from the app and turns the second factor on: from then on, password sign-ins need otp. Answers 10 recovery codes, shown only once.",
	"totp-delete":        "Turns the second factor off; send a current code from the app or a recovery code.",
	"second-factor-get":  "Whether sign-ins need a second factor, and how many recovery codes are left. With identity.require_second_factor_for_staff, moderators and administrators act as such only in sessions that passed one.",
	"oidc-provider-list": "The configured OpenID providers, for sign-in buttons.",
	"oidc-start":         "Redirects to the provider's sign-in page (authorisation code flow with PKCE and a nonce). With link=true and a session's access token, the provider is linked to your account instead. response says how the callback ends: browser (default) or json.",
	"oidc-callback": "Where the provider sends the browser back. The state works once and for 10 minutes; the ID token must be signed by the provider, name this client, be unexpired and carry the nonce. " +
		"A browser sign-in (response=browser at the start) ends with 303 to the web app: / with the web session's cookies set, or /auth/callback#error=... when it failed. " +
		"A json sign-in answers tokens like POST /v1/auth/token: for the linked account, or a new one (just in time) when the provider vouches for an email no account uses. " +
		"An existing account with that email is never taken over (409): its owner signs in with the password and links the provider.",
	"oidc-identity-list":   "The provider accounts linked to yours (link another with GET /v1/auth/oidc/{provider}/start?link=true). Needs a session's access token.",
	"oidc-identity-delete": "Unlinks a provider. Refused (409) when it would leave the account no way back in: no other provider, no passkey and no verified e-mail address to reset the password through.",
	"passkey-begin":        "Answers WebAuthn creation options (a discoverable credential with user verification) and a ceremony ID; send the device's answer to POST /v1/users/me/passkeys.",
	"passkey-create":       "Checks the device's answer to the ceremony (challenge, origin, relying party, attestation \"none\" accepted) and registers the passkey.",
	"passkey-signin-begin": "Answers WebAuthn assertion options for any passkey of this site and a ceremony ID.",
	"passkey-signin":       "Checks the device's signature and answers tokens like POST /v1/auth/token. A passkey sign-in verifies the user on the device, so it counts as passing a second factor.",
	"api-token-create":     "The secret is in the response only; exchange it at POST /v1/auth/token with {\"api_token\": ...}.",
	"signing-key-list":     "Administrators only. Never shows key material.",
	"signing-key-rotate":   "Administrators only. A new key signs from now on; the old one stays in the JWKS for key_retention, so no one is signed out.",
}
