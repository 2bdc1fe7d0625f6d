package bus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Backend describes a broker transport that a binary may link in. The
// embedded bus is always there; every other transport lives in its own
// package under internal/platform/bus and is linked in only when
// internal/app/backends registers it, which its build tags decide: the
// default build has them all, -tags lean leaves out every one marked Lean,
// and -tags no_<name> leaves out one.
type Backend struct {
	Name    string   // the package name, e.g. "kafka"
	Schemes []string // URL schemes it opens
	Tag     string   // the build tag that leaves it out
	Lean    bool     // left out by -tags lean
}

// Backends is the one list of transport URL schemes: Open, ValidateURL,
// the build-tagged registrations and the documentation test read it.
var Backends = []Backend{
	{Name: "nats", Schemes: []string{"nats"}, Tag: "no_nats", Lean: true},
	{Name: "kafka", Schemes: []string{"kafka"}, Tag: "no_kafka", Lean: true},
	{Name: "amqp", Schemes: []string{"amqp", "amqps"}, Tag: "no_amqp", Lean: true},
	{Name: "gcppubsub", Schemes: []string{"gcppubsub"}, Tag: "no_gcppubsub", Lean: true},
	{Name: "aws", Schemes: []string{"awssqs", "awssns"}, Tag: "no_aws", Lean: true},
	{Name: "redis", Schemes: []string{"redis", "rediss"}, Tag: "no_redisstreams", Lean: true},
	{Name: "postgres", Schemes: []string{"postgres", "postgresql"}, Tag: "no_pgbus", Lean: true},
}

// Opener connects to the transport a URL names. u's scheme is one of the
// backend's; o.Logger is set.
type Opener func(ctx context.Context, u *url.URL, o Options) (Transport, error)

// registry holds the openers linked into this binary. Like database/sql's
// drivers it describes the binary, not a running service: it is filled
// once at start-up (internal/app/backends.Register) and only read after.
var registry struct {
	sync.RWMutex
	openers map[string]Opener // by backend name
}

// Register makes the backend called name (an entry of Backends) available
// to Open. Registering a backend again replaces its opener.
func Register(name string, open Opener) error {
	if backend(name) == nil {
		return fmt.Errorf("bus: register %q: not in bus.Backends", name)
	}
	if open == nil {
		return fmt.Errorf("bus: register %q: nil opener", name)
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.openers == nil {
		registry.openers = map[string]Opener{}
	}
	registry.openers[name] = open
	return nil
}

// Registered reports whether the backend called name is linked in.
func Registered(name string) bool {
	registry.RLock()
	defer registry.RUnlock()
	return registry.openers[name] != nil
}

func backend(name string) *Backend {
	for i := range Backends {
		if Backends[i].Name == name {
			return &Backends[i]
		}
	}
	return nil
}

// opener finds the opener for a parsed bus URL, or says why there is none:
// an unknown scheme, or a known one this binary was built without.
func opener(u *url.URL) (Opener, error) {
	for _, b := range Backends {
		if !slices.Contains(b.Schemes, u.Scheme) {
			continue
		}
		registry.RLock()
		open := registry.openers[b.Name]
		registry.RUnlock()
		if open == nil {
			how := "-tags " + b.Tag
			if b.Lean {
				how = "-tags lean or " + how
			}
			return nil, fmt.Errorf("bus.url: the %s transport (%s://) is not compiled into this binary (built with %s); "+
				"use a build without that tag, or another transport", b.Name, u.Scheme, how)
		}
		return open, nil
	}
	var schemes []string
	for _, b := range Backends {
		schemes = append(schemes, b.Schemes[0])
	}
	return nil, fmt.Errorf("bus.url: scheme %q is not supported (use %s, or leave empty for the embedded bus)",
		u.Scheme, strings.Join(schemes, ", "))
}

// parseURL parses a non-empty bus URL.
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return nil, errors.New("bus.url: not a URL")
	}
	return u, nil
}
