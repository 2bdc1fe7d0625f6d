package identity

import (
	"strings"
	"testing"
)

func TestArgon2(t *testing.T) {
	t.Parallel()
	hash, err := hashWith("correct horse battery", defaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("hash_is_a_phc_string_with_owasp_parameters", func(t *testing.T) {
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("hash = %s", hash)
		}
	})
	t.Run("right_password_verifies", func(t *testing.T) {
		if ok, err := verifyPassword("correct horse battery", hash); err != nil || !ok {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("wrong_password_does_not", func(t *testing.T) {
		if ok, err := verifyPassword("correct horse battery!", hash); err != nil || ok {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("tampered_hash_does_not_verify", func(t *testing.T) {
		parts := strings.Split(hash, "$")
		key := []byte(parts[5])
		if key[0] == 'A' {
			key[0] = 'B'
		} else {
			key[0] = 'A'
		}
		parts[5] = string(key)
		if ok, _ := verifyPassword("correct horse battery", strings.Join(parts, "$")); ok {
			t.Fatal("tampered hash verified")
		}
	})
	t.Run("tampered_parameters_do_not_verify", func(t *testing.T) {
		tampered := strings.Replace(hash, "t=2", "t=1", 1)
		if ok, _ := verifyPassword("correct horse battery", tampered); ok {
			t.Fatal("hash with changed parameters verified")
		}
	})
	t.Run("malformed_hash_is_an_error", func(t *testing.T) {
		for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=9999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
			if _, err := verifyPassword("x", bad); err == nil {
				t.Fatalf("verify(%q) did not fail", bad)
			}
		}
	})
	t.Run("parameters_are_read_back_from_the_hash", func(t *testing.T) {
		cheap := argon2Params{memoryKiB: 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32}
		h, err := hashWith("correct horse battery", cheap)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(h, "m=1024,t=1,p=1") {
			t.Fatalf("hash = %s", h)
		}
		if ok, err := verifyPassword("correct horse battery", h); err != nil || !ok {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
}

func TestDecoyHash(t *testing.T) {
	t.Parallel()
	decoy, err := decoyHash()
	if err != nil {
		t.Fatal(err)
	}
	p, salt, key, err := parsePHC(decoy)
	if err != nil {
		t.Fatalf("decoy %q does not parse: %v", decoy, err)
	}
	// Verifying against the decoy must cost what verifying against a real
	// hash costs: the same parameters, salt and key sizes.
	if p.memoryKiB != newHashParams.memoryKiB || p.time != newHashParams.time || p.threads != newHashParams.threads ||
		len(salt) != newHashParams.saltLen || len(key) != int(newHashParams.keyLen) {
		t.Fatalf("decoy parameters %+v, salt %d, key %d; want those of %+v", p, len(salt), len(key), newHashParams)
	}
	for _, pw := range []string{"", "not a password anyone has", "correct horse battery"} {
		if ok, err := verifyPassword(pw, decoy); err != nil || ok {
			t.Fatalf("verify(%q, decoy) = %v, %v; want false, nil", pw, ok, err)
		}
	}
	if other, _ := decoyHash(); other == decoy {
		t.Fatal("two decoys are equal: salt and key must be random")
	}
}
