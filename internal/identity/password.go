package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Params are the cost parameters of a password hash. New hashes use
// defaultArgon2 (OWASP's argon2id recommendation: 19 MiB, 2 passes, 1
// lane); verification reads the parameters back from the stored string, so
// raising them later leaves old hashes verifiable.
type argon2Params struct {
	memoryKiB uint32
	time      uint32
	threads   uint8
	saltLen   int
	keyLen    uint32
}

var defaultArgon2 = argon2Params{memoryKiB: 19456, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// newHashParams are the parameters of new hashes: defaultArgon2, except in
// tests (set once in TestMain, before any hash is made).
var newHashParams = defaultArgon2

var errBadHash = errors.New("malformed password hash")

// hashPassword returns a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded base64).
func hashPassword(password string) (string, error) {
	return hashWith(password, newHashParams)
}

func hashWith(password string, p argon2Params) (string, error) {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memoryKiB, p.threads, p.keyLen)
	return formatPHC(p, salt, key), nil
}

func formatPHC(p argon2Params, salt, key []byte) string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memoryKiB, p.time, p.threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// decoyHash returns a well-formed hash with the parameters of new hashes, a
// random salt and a random key in place of a derived one. Verifying any
// password against it costs exactly what verifying against a real hash
// costs, and no password matches it (that would take finding an argon2id
// preimage of 32 random bytes). It is built without running argon2id, so a
// start does not pay for a hash nobody signs in with.
func decoyHash() (string, error) {
	p := newHashParams
	buf := make([]byte, p.saltLen+int(p.keyLen))
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("decoy hash: %w", err)
	}
	return formatPHC(p, buf[:p.saltLen], buf[p.saltLen:]), nil
}

// verifyPassword reports whether password matches the PHC string encoded.
// The comparison is constant-time; a malformed hash is an error, not a
// mismatch, so corruption is noticed.
func verifyPassword(password, encoded string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	// parsePHC bounds the hash length, so the conversion cannot overflow.
	got := argon2.IDKey([]byte(password), salt, p.time, p.memoryKiB, p.threads, uint32(len(want))) //nolint:gosec // bounded by parsePHC

	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(encoded string) (argon2Params, []byte, []byte, error) {
	var p argon2Params
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memoryKiB, &p.time, &p.threads); err != nil {
		return p, nil, nil, errBadHash
	}
	// Bounds keep a tampered row from turning a sign-in into a memory bomb.
	if p.memoryKiB < 8 || p.memoryKiB > 1<<22 || p.time < 1 || p.time > 64 || p.threads < 1 {
		return p, nil, nil, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
