// Package app is the application shell: the list of targets, the order they
// start in, and the lifecycle of one process running some of them.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/analytics"
	"github.com/alexandria-platform/alexandria/internal/catalog"
	"github.com/alexandria-platform/alexandria/internal/config"
	"github.com/alexandria-platform/alexandria/internal/engagement"
	"github.com/alexandria-platform/alexandria/internal/feeds"
	"github.com/alexandria-platform/alexandria/internal/identity"
	"github.com/alexandria-platform/alexandria/internal/notify"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/processing"
	"github.com/alexandria-platform/alexandria/internal/search"
	"github.com/alexandria-platform/alexandria/internal/storage"
	"github.com/alexandria-platform/alexandria/internal/web"
)

// Target is one service the binary can run.
type Target struct {
	Name        string
	Description string
	// Migrations are the target's own schema changes (nil: it owns no tables).
	Migrations fs.FS
	// New builds the target: opens its store, migrates, registers routes.
	New func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error)
}

// targets is the dumb list of everything the binary can run, in start order
// for "all".
var targets = []Target{
	{
		Name:        "identity",
		Description: "accounts, roles, sessions, access tokens (JWT, JWKS), API tokens",
		Migrations:  identity.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			return identity.New(ctx, c.Identity, d)
		},
	},
	{
		Name:        "catalog",
		Description: "authors and their members, media items, categories; lifecycle and moderation",
		Migrations:  catalog.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			return catalog.New(ctx, c.Catalog, d)
		},
	},
	{
		Name:        "storage",
		Description: "uploads (tus 1.0 and simple), objects in the blob store, downloads with ranges, signed links",
		Migrations:  storage.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			cfg := c.Storage
			if cfg.RedisURL == "" {
				// ALEXANDRIA_REDIS_URL: one Redis for every replica's shared state.
				cfg.RedisURL = c.Identity.RedisURL
			}
			return storage.New(ctx, cfg, d)
		},
	},
	{
		Name:        "processing",
		Description: "derivatives of uploads: probe, covers and thumbnails, waveforms, extracted text",
		Migrations:  processing.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			return processing.New(ctx, c.Processing, d)
		},
	},
	{
		Name:        "search",
		Description: "full-text and faceted search over the catalog and inside every item's extracted text",
		Migrations:  search.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			return search.New(ctx, c.Search, d)
		},
	},
	{
		Name:        "feeds",
		Description: "open formats: Atom and JSON Feed, podcast RSS with Podcasting 2.0, OPDS catalogs, link previews",
		Migrations:  feeds.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			return feeds.New(ctx, c.Feeds, d)
		},
	},
	{
		Name:        "engagement",
		Description: "follows, likes, views and plays, progress sync, home feed",
		Migrations:  engagement.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			cfg := c.Engagement
			if cfg.MQTTURL == "" {
				cfg.MQTTURL = c.MQTTURL
			}
			return engagement.New(ctx, cfg, d)
		},
	},
	{
		Name:        "analytics",
		Description: "trending (Φ = ω + υ as a stream), popular, creator statistics, related items, the Parquet event lake",
		Migrations:  analytics.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			cfg := c.Analytics
			if cfg.LakeURL == "" {
				cfg.LakeURL = c.LakeURL
			}
			return analytics.New(ctx, cfg, d, analytics.Sources{"catalog": eventTypes(catalog.Events), "engagement": eventTypes(engagement.Events)})
		},
	},
	{
		Name:        "notify",
		Description: "notifications: inbox with a live stream, fan-out to followers, e-mail deliveries, preferences",
		Migrations:  notify.Migrations,
		New: func(ctx context.Context, c config.Config, d module.Deps) (module.Service, error) {
			return notify.New(ctx, c.Notify, d)
		},
	},
	{
		Name:        "web",
		Description: "the web application (React) and its static assets, at every path the API does not claim",
		New: func(ctx context.Context, _ config.Config, d module.Deps) (module.Service, error) {
			return web.New(ctx, d)
		},
	},
}

// dependencies orders targets that run in the same process: a target starts
// after those it names, and stops before them. They are not pulled in: in
// split mode a dependency runs in another process and is reached over HTTP.
var dependencies = map[string][]string{
	"catalog":    {"identity"},
	"storage":    {"catalog"},
	"processing": {"storage"},
	"search":     {"catalog", "storage", "processing"}, // their events and storage's text
	"feeds":      {"catalog"},
	"engagement": {"catalog"},             // learns what exists from catalog's events
	"analytics":  {"engagement"},          // consumes engagement's and catalog's events
	"notify":     {"engagement"},          // turns follows (and catalog's events) into notifications
	"web":        {"identity", "catalog"}, // the API its pages call
}

// eventTypes lists the types of a catalogue's events.
func eventTypes(specs []events.Spec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.Type
	}
	return out
}

// Targets returns every target the binary knows.
func Targets() []Target { return slices.Clone(targets) }

// Select resolves a -target value ("all" or a comma list) into targets in
// dependency order.
func Select(spec string) ([]Target, error) {
	want := map[string]bool{}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if name == "all" {
			for _, t := range targets {
				want[t.Name] = true
			}
			continue
		}
		if !slices.ContainsFunc(targets, func(t Target) bool { return t.Name == name }) {
			return nil, fmt.Errorf("-target: unknown target %q (known: all, %s)", name, strings.Join(names(targets), ", "))
		}
		want[name] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("-target: name at least one target")
	}
	return order(want)
}

// order sorts the wanted targets so that each comes after its dependencies.
func order(want map[string]bool) ([]Target, error) {
	var out []Target
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("dependency cycle through %q", name)
		case 2:
			return nil
		}
		state[name] = 1
		for _, dep := range dependencies[name] {
			if want[dep] {
				if err := visit(dep); err != nil {
					return err
				}
			}
		}
		state[name] = 2
		i := slices.IndexFunc(targets, func(t Target) bool { return t.Name == name })
		out = append(out, targets[i])
		return nil
	}
	for _, t := range targets {
		if want[t.Name] {
			if err := visit(t.Name); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func names(ts []Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
