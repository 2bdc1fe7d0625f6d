package identity

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// Device trust keeps an attacker from locking an owner out. Failed sign-ins
// are counted per account, so that guessing spread over many addresses
// meets a ceiling; but that ceiling is one anyone can reach for any account.
// So a successful password sign-in also answers a device token, a signed
// statement "this device signed in to this account" (the alexandria_device
// cookie for browsers, device_token in the body for API clients, which send
// it back as device_token). A sign-in that presents a valid device token of
// the account is counted on that device's own bucket (login_max_failures a
// window) instead of the account's buckets of failures (per address and
// account-wide); one without it (an unknown device, or the attacker) meets
// those. The per-address rate of attempts applies to everyone. The
// owner keeps signing in from their devices while the attacker stays at the
// account-wide pace; the owner on a new device waits like anyone else.
//
// The token is a JWT signed with identity's current signing key, with its
// own audience so it is never accepted as an access token (nor an access
// token as a device token). It grants nothing but a separate bucket, so it
// is not stored; it stops being trusted when it expires or when the key
// that signed it leaves the JWKS (key_retention after a rotation).

const (
	deviceAudience = "alexandria-device"
	deviceCookie   = "alexandria_device"
	deviceTrustTTL = 90 * 24 * time.Hour
)

// issueDeviceToken signs a device token for userID.
func (s *Service) issueDeviceToken(ctx context.Context, userID string) (string, error) {
	snap, err := s.keys.current(ctx, false)
	if err != nil {
		return "", err
	}
	now := s.now()
	tok, err := jwt.NewBuilder().Issuer(auth.Issuer).Audience([]string{deviceAudience}).Subject(userID).
		IssuedAt(now).Expiration(now.Add(deviceTrustTTL)).JwtID(uuid.Must(uuid.NewV7()).String()).Build()
	if err != nil {
		return "", fmt.Errorf("build device token: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), snap.signing))
	if err != nil {
		return "", fmt.Errorf("sign device token: %w", err)
	}
	return string(signed), nil
}

// trustedDevice returns the ID of the device that token names if it is a
// valid device token of userID, or "" (a bad, expired or someone else's
// token is simply no trust).
func (s *Service) trustedDevice(ctx context.Context, token, userID string) string {
	if token == "" || userID == "" || len(token) > 2048 {
		return ""
	}
	set, err := s.keys.Keys(ctx, false)
	if err != nil {
		return ""
	}
	tok, err := jwt.ParseString(token, jwt.WithKeySet(set), jwt.WithValidate(true),
		jwt.WithIssuer(auth.Issuer), jwt.WithAudience(deviceAudience),
		jwt.WithClock(jwt.ClockFunc(s.now)))
	if err != nil {
		return ""
	}
	if sub, _ := tok.Subject(); sub != userID {
		return ""
	}
	id, _ := tok.JwtID()
	return id
}

// deviceCookieFor is the Set-Cookie value that stores token in a browser:
// only sent back to the auth routes, never readable by scripts.
func deviceCookieFor(token string) string {
	c := deviceHTTPCookie(token)
	return c.String()
}

// deviceHTTPCookie is the alexandria_device cookie carrying token.
func deviceHTTPCookie(token string) http.Cookie {
	return http.Cookie{Name: deviceCookie, Value: token, Path: "/v1/auth", MaxAge: int(deviceTrustTTL / time.Second),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
}
