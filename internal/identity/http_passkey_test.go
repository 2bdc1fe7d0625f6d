package identity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

const (
	credIDLen  = 16
	testRPID   = "alexandria.test"
	testOrigin = "http://alexandria.test"
)

var b64 = base64.RawURLEncoding

// softAuthenticator is a passkey device written for the tests: one ES256
// key, attestation "none", user verification always done.
type softAuthenticator struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	credID []byte
	user   []byte
	count  uint32
}

func newSoftAuthenticator(t *testing.T) *softAuthenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, credIDLen)
	_, _ = rand.Read(id)
	return &softAuthenticator{t: t, key: key, credID: id}
}

func challengeOf(t *testing.T, r resp) (string, string) {
	t.Helper()
	opts, _ := r.body["options"].(map[string]any)
	pk, _ := opts["publicKey"].(map[string]any)
	ch, _ := pk["challenge"].(string)
	if ch == "" || r.str("ceremony") == "" {
		t.Fatalf("ceremony = %s", r.raw)
	}
	return r.str("ceremony"), ch
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin})
	return b
}

// create answers navigator.credentials.create().
func (a *softAuthenticator) create(challenge, origin string, userID []byte) json.RawMessage {
	a.t.Helper()
	a.user = userID
	rp := sha256.Sum256([]byte(testRPID))
	raw, err := a.key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		a.t.Fatal(err)
	}
	x, y := raw[1:33], raw[33:65]
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		a.t.Fatal(err)
	}
	auth := append([]byte{}, rp[:]...)
	auth = append(auth, 0x45) // user present, user verified, attested credential data
	auth = binary.BigEndian.AppendUint32(auth, 0)
	auth = append(auth, make([]byte, 16)...) // AAGUID
	auth = binary.BigEndian.AppendUint16(auth, credIDLen)
	auth = append(auth, a.credID...)
	auth = append(auth, cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		a.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(clientData("webauthn.create", challenge, origin)),
			"attestationObject": b64.EncodeToString(att)}})
	return out
}

// get answers navigator.credentials.get(), signing with signer.
func (a *softAuthenticator) get(challenge string, signer *ecdsa.PrivateKey) json.RawMessage {
	a.t.Helper()
	a.count++
	rp := sha256.Sum256([]byte(testRPID))
	auth := append(append([]byte{}, rp[:]...), 0x05)
	auth = binary.BigEndian.AppendUint32(auth, a.count)
	cd := clientData("webauthn.get", challenge, testOrigin)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, signer, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.user)}})
	return out
}

func TestHTTPPasskeys(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(c *Config) { c.WebAuthnRPID, c.WebAuthnOrigins = testRPID, []string{testOrigin} })
			id := e.register("pia@example.org", "Pia")
			access, _ := e.login("pia@example.org", goodPassword)
			dev := newSoftAuthenticator(t)

			// Registration from another origin is refused.
			ceremony, ch := challengeOf(t, e.call("POST", "/v1/users/me/passkeys/options", access, nil).want(t, http.StatusOK))
			e.call("POST", "/v1/users/me/passkeys", access, map[string]any{"ceremony": ceremony,
				"credential": dev.create(ch, "http://evil.test", []byte(id))}).want(t, http.StatusUnprocessableEntity)
			// The ceremony was spent.
			e.call("POST", "/v1/users/me/passkeys", access, map[string]any{"ceremony": ceremony,
				"credential": dev.create(ch, testOrigin, []byte(id))}).want(t, http.StatusUnauthorized)

			ceremony, ch = challengeOf(t, e.call("POST", "/v1/users/me/passkeys/options", access, nil).want(t, http.StatusOK))
			e.call("POST", "/v1/users/me/passkeys", access, map[string]any{"ceremony": ceremony, "name": "Phone",
				"credential": dev.create(ch, testOrigin, []byte(id))}).want(t, http.StatusCreated)
			list := e.call("GET", "/v1/users/me/passkeys", access, nil).want(t, http.StatusOK)
			if items, _ := list.body["items"].([]any); len(items) != 1 {
				t.Fatalf("passkeys = %s", list.raw)
			}

			// Sign in with the passkey.
			ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
			answer := dev.get(ch, dev.key)
			r := e.call("POST", "/v1/auth/passkey", "", map[string]any{"ceremony": ceremony, "credential": answer}).want(t, http.StatusOK)
			if got := e.call("GET", "/v1/users/me", r.str("access_token"), nil).want(t, http.StatusOK).str("id"); got != id {
				t.Fatalf("signed in as %s, want %s", got, id)
			}
			// As the web app sends it: the bare credential, the ceremony
			// found by its signed challenge.
			_, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", map[string]any{"email": "pia@example.org"}).want(t, http.StatusOK))
			bare := e.call("POST", "/v1/auth/passkey", "", dev.get(ch, dev.key)).want(t, http.StatusOK)
			if bare.str("access_token") == "" {
				t.Fatalf("bare credential sign-in = %s", bare.raw)
			}
			// The same answer again is refused (the ceremony is spent).
			e.call("POST", "/v1/auth/passkey", "", map[string]any{"ceremony": ceremony, "credential": answer}).want(t, http.StatusUnauthorized)
			// A signature by another key is refused.
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
			e.call("POST", "/v1/auth/passkey", "", map[string]any{"ceremony": ceremony, "credential": dev.get(ch, other)}).
				want(t, http.StatusUnauthorized)
			// As the second factor of a password sign-in, for an account
			// with an authenticator app: instead of otp.
			e.enroll(t, access)
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "pia@example.org", "password": goodPassword}).want(t, http.StatusUnauthorized)
			ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "pia@example.org", "password": goodPassword,
				"passkey": map[string]any{"ceremony": ceremony, "credential": dev.get(ch, other)}}).want(t, http.StatusUnauthorized)
			ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "pia@example.org", "password": goodPassword,
				"passkey": map[string]any{"ceremony": ceremony, "credential": dev.get(ch, dev.key)}}).want(t, http.StatusOK)
			// Another user's passkey is not this user's second factor.
			e.register("quin@example.org", "Quin")
			ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "quin@example.org", "password": goodPassword,
				"passkey": map[string]any{"ceremony": ceremony, "credential": dev.get(ch, dev.key)}}).want(t, http.StatusUnauthorized)

			// A signature over another challenge is refused.
			ceremony, _ = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
			e.call("POST", "/v1/auth/passkey", "", map[string]any{"ceremony": ceremony, "credential": dev.get(b64.EncodeToString([]byte("stale")), dev.key)}).
				want(t, http.StatusUnauthorized)
		})
	}
}
