package identity

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// keyRing holds identity's signing keys in memory: the active private key
// that signs new access tokens, and the public keys of the active and
// recently retired keys (the JWKS). It is safe for concurrent use and is
// also the in-process auth.KeySource.
//
// Another replica may rotate the key at any time, so the ring re-reads the
// table at most every reloadEvery (and on demand when a token names an
// unknown key, at most every minForced).
type keyRing struct {
	store       *store
	retention   time.Duration
	now         func() time.Time
	reloadEvery time.Duration
	minForced   time.Duration

	mu       sync.Mutex
	snap     keySnapshot
	loadedAt time.Time
}

// keySnapshot is an immutable view of the keys at one load.
type keySnapshot struct {
	signing jwk.Key
	public  jwk.Set
	infos   []keyInfo
}

// keyInfo describes a key without its material.
type keyInfo struct {
	KID       string
	CreatedAt time.Time
	RetiredAt *time.Time
}

func newKeyRing(s *store, retention time.Duration, now func() time.Time) *keyRing {
	return &keyRing{store: s, retention: retention, now: now, reloadEvery: 30 * time.Second, minForced: time.Second}
}

// generateKey makes a fresh Ed25519 key row.
func generateKey(now time.Time) (keyRow, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return keyRow{}, fmt.Errorf("generate signing key: %w", err)
	}
	return keyRow{KID: uuid.Must(uuid.NewV7()).String(), PrivateKey: priv, CreatedAt: ts(now)}, nil
}

// ensure makes sure an active key exists and loads the ring.
func (k *keyRing) ensure(ctx context.Context) error {
	row, err := generateKey(k.now())
	if err != nil {
		return err
	}
	if err := k.store.ensureActiveKey(ctx, row); err != nil {
		return err
	}
	return k.reload(ctx)
}

// rotate makes a new key active; the old one stays published for retention.
func (k *keyRing) rotate(ctx context.Context) error {
	now := k.now()
	row, err := generateKey(now)
	if err != nil {
		return err
	}
	if err := k.store.rotateKey(ctx, row, now, now.Add(-k.retention)); err != nil {
		return err
	}
	return k.reload(ctx)
}

// reload reads the keys now, whatever the age of the cached ones.
func (k *keyRing) reload(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	snap, err := k.load(ctx)
	if err != nil {
		return err
	}
	k.snap, k.loadedAt = snap, k.now()
	return nil
}

// current returns the keys, reloading them when stale or when force is set
// (a forced reload is skipped if the last one was under minForced ago).
func (k *keyRing) current(ctx context.Context, force bool) (keySnapshot, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	age := k.now().Sub(k.loadedAt)
	if k.snap.signing != nil && age < k.reloadEvery && (!force || age < k.minForced) {
		return k.snap, nil
	}
	snap, err := k.load(ctx)
	if err != nil {
		if k.snap.signing != nil {
			return k.snap, nil // keep signing with what we have while the store is away
		}
		return keySnapshot{}, err
	}
	k.snap, k.loadedAt = snap, k.now()
	return snap, nil
}

func (k *keyRing) load(ctx context.Context) (keySnapshot, error) {
	rows, err := k.store.publishedKeys(ctx, k.now().Add(-k.retention))
	if err != nil {
		return keySnapshot{}, err
	}
	snap := keySnapshot{public: jwk.NewSet()}
	for _, r := range rows {
		if len(r.PrivateKey) != ed25519.PrivateKeySize {
			return keySnapshot{}, fmt.Errorf("signing key %s: stored key has %d bytes", r.KID, len(r.PrivateKey))
		}
		priv, err := jwk.Import(ed25519.PrivateKey(r.PrivateKey))
		if err != nil {
			return keySnapshot{}, fmt.Errorf("signing key %s: %w", r.KID, err)
		}
		if err := describeKey(priv, r.KID); err != nil {
			return keySnapshot{}, err
		}
		pub, err := priv.PublicKey()
		if err != nil {
			return keySnapshot{}, fmt.Errorf("signing key %s: %w", r.KID, err)
		}
		if err := snap.public.AddKey(pub); err != nil {
			return keySnapshot{}, fmt.Errorf("signing key %s: %w", r.KID, err)
		}
		if r.RetiredAt == nil && snap.signing == nil {
			snap.signing = priv
		}
		snap.infos = append(snap.infos, keyInfo{KID: r.KID, CreatedAt: r.CreatedAt.UTC(), RetiredAt: utcPtr(r.RetiredAt)})
	}
	if snap.signing == nil {
		return keySnapshot{}, fmt.Errorf("no active signing key")
	}
	return snap, nil
}

func describeKey(key jwk.Key, kid string) error {
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.EdDSA(), jwk.KeyUsageKey: "sig"} {
		if err := key.Set(name, v); err != nil {
			return fmt.Errorf("signing key %s: set %s: %w", kid, name, err)
		}
	}
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Keys implements auth.KeySource over the published keys.
func (k *keyRing) Keys(ctx context.Context, refresh bool) (jwk.Set, error) {
	snap, err := k.current(ctx, refresh)
	if err != nil {
		return nil, err
	}
	return snap.public, nil
}
