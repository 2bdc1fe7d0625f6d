package identity

import (
	"os"
	"testing"
)

// TestMain makes new password hashes cheap: the tests hash hundreds of
// passwords and check limits and flows, not argon2's cost. Production keeps
// defaultArgon2 (TestArgon2 checks it).
func TestMain(m *testing.M) {
	newHashParams = argon2Params{memoryKiB: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}
	os.Exit(m.Run())
}
