package blob

import (
	"fmt"
	"strings"
	"sync"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
)

// Store describes an object store a binary may link in. The local
// directory (file://) is always there; each other store's gocloud driver
// is linked in only when internal/app/backends registers it, which its
// build tags decide: the default build has them all, -tags lean leaves
// out every one marked Lean, and Tag leaves out one.
type Store struct {
	Scheme string // URL scheme, e.g. "s3"
	Tag    string // the build tag that leaves it out
	Lean   bool   // left out by -tags lean
}

// Stores is the one list of blob URL schemes besides file: Open,
// Validate, the build-tagged registrations and the documentation test
// read it.
var Stores = []Store{
	{Scheme: "s3", Tag: "no_s3", Lean: true},
	{Scheme: "gs", Tag: "no_gcs", Lean: true},
	{Scheme: "azblob", Tag: "no_azblob", Lean: true},
}

// registry holds the openers linked into this binary. Like database/sql's
// drivers it describes the binary, not a running service: it is filled
// once at start-up (internal/app/backends.Register) and only read after.
var registry struct {
	sync.RWMutex
	openers map[string]blob.BucketURLOpener // by scheme
}

// Register makes the store with the given scheme (an entry of Stores)
// available to Open. Registering a scheme again replaces its opener.
func Register(scheme string, open blob.BucketURLOpener) error {
	known := false
	for _, s := range Stores {
		known = known || s.Scheme == scheme
	}
	if !known || open == nil {
		return fmt.Errorf("blob: register %q: not in blob.Stores, or a nil opener", scheme)
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.openers == nil {
		registry.openers = map[string]blob.BucketURLOpener{}
	}
	registry.openers[scheme] = open
	return nil
}

// Registered reports whether the store with the given scheme is linked in.
func Registered(scheme string) bool {
	registry.RLock()
	defer registry.RUnlock()
	return registry.openers[scheme] != nil
}

// opener finds the opener for a scheme, or says why there is none: an
// unknown scheme, or a known one this binary was built without.
func opener(scheme string) (blob.BucketURLOpener, error) {
	if scheme == fileblob.Scheme {
		return &fileblob.URLOpener{}, nil
	}
	schemes := []string{fileblob.Scheme}
	for _, s := range Stores {
		schemes = append(schemes, s.Scheme)
		if s.Scheme != scheme {
			continue
		}
		registry.RLock()
		open := registry.openers[scheme]
		registry.RUnlock()
		if open == nil {
			how := "-tags " + s.Tag
			if s.Lean {
				how = "-tags lean or " + how
			}
			return nil, fmt.Errorf("blob.url: the %s:// store is not compiled into this binary (built with %s); "+
				"use a build without that tag, or another store", scheme, how)
		}
		return open, nil
	}
	return nil, fmt.Errorf("blob.url: scheme %q is not supported (use %s, or leave empty for <data dir>/blobs)",
		scheme, strings.Join(schemes, ", "))
}
