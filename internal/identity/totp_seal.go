package identity

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// TOTP secrets must be readable to check codes, so they cannot be hashed;
// with identity.totp_encryption_keys they are sealed with AES-256-GCM
// before they reach the database, the user's ID as additional data (a
// sealed secret copied to another user's row does not open). A sealed
// value reads "v1:<key id>:<base64 nonce+ciphertext>"; a value without the
// prefix is a secret stored before a key was configured.
//
// Rotation: put the new key first and keep the old ones after it. At start
// identity re-seals every secret that is not under the first key (and seals
// the unsealed ones); once that is done (the log says how many), the old
// keys can be removed.

const sealPrefix = "v1:"

// totpSealer seals and opens TOTP secrets; a nil sealer stores them as
// they are.
type totpSealer struct {
	current string
	keys    map[string]cipher.AEAD
}

// parseTOTPKeys reads "id:base64key,id:base64key" (32-byte keys, standard
// or URL base64); the first key seals.
func parseTOTPKeys(s string) (*totpSealer, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	t := &totpSealer{keys: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(s, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || len(id) > 16 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return nil, fmt.Errorf("key %d: want id:base64-key, the id of letters, digits, - and _ (at most 16)", i+1)
		}
		if _, dup := t.keys[id]; dup {
			return nil, fmt.Errorf("key %d: id %q is used twice", i+1, id)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(b64, "="))
		}
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %d (%s): must be 32 random bytes in base64 (openssl rand -base64 32)", i+1, id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		t.keys[id] = aead
		if i == 0 {
			t.current = id
		}
	}
	return t, nil
}

// seal encrypts secret for userID under the current key.
func (t *totpSealer) seal(userID, secret string) (string, error) {
	if t == nil {
		return secret, nil
	}
	aead := t.keys[t.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(secret), []byte(userID))
	return sealPrefix + t.current + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

var errTOTPSealed = errors.New("identity: a TOTP secret is sealed with a key that is not configured (identity.totp_encryption_keys)")

// open returns the secret stored as stored for userID.
func (t *totpSealer) open(userID, stored string) (string, error) {
	rest, sealed := strings.CutPrefix(stored, sealPrefix)
	if !sealed {
		return stored, nil
	}
	id, b64, _ := strings.Cut(rest, ":")
	if t == nil {
		return "", errTOTPSealed
	}
	aead, ok := t.keys[id]
	if !ok {
		return "", fmt.Errorf("%w (key id %q)", errTOTPSealed, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("identity: a sealed TOTP secret is damaged")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(userID))
	if err != nil {
		return "", errors.New("identity: a sealed TOTP secret does not open (wrong key or another user's row)")
	}
	return string(plain), nil
}

// current tells whether stored is sealed under the current key.
func (t *totpSealer) isCurrent(stored string) bool {
	if t == nil {
		return !strings.HasPrefix(stored, sealPrefix)
	}
	return strings.HasPrefix(stored, sealPrefix+t.current+":")
}

// resealTOTP brings every stored secret under the current key; it runs at
// start. Secrets under keys no longer configured are left alone and
// reported: their users cannot pass the factor until the key comes back.
func (s *Service) resealTOTP(ctx context.Context) error {
	if s.totp == nil {
		n, err := s.store.countSealedTOTP(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d TOTP secrets are sealed but identity.totp_encryption_keys is empty", n)
		}
		return nil
	}
	var resealed, stuck int
	err := s.store.rewriteTOTP(ctx, func(userID, stored string) (string, bool, error) {
		if s.totp.isCurrent(stored) {
			return "", false, nil
		}
		plain, err := s.totp.open(userID, stored)
		if err != nil {
			stuck++
			return "", false, nil //nolint:nilerr // reported below, the others still move
		}
		sealed, err := s.totp.seal(userID, plain)
		if err != nil {
			return "", false, err
		}
		resealed++
		return sealed, true, nil
	})
	if err != nil {
		return err
	}
	if resealed > 0 || stuck > 0 {
		s.log.InfoContext(ctx, "totp secrets resealed under the current key", "key", s.totp.current, "resealed", resealed, "unopenable", stuck)
	}
	return nil
}
