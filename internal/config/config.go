// Package config builds the process's one configuration from each service's
// own config: embedded defaults < YAML file (-config) < environment
// (ALEXANDRIA_…) < flags. It is read once in main and passed down.
package config

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/alexandria-platform/alexandria/internal/analytics"
	"github.com/alexandria-platform/alexandria/internal/catalog"
	"github.com/alexandria-platform/alexandria/internal/engagement"
	"github.com/alexandria-platform/alexandria/internal/feeds"
	"github.com/alexandria-platform/alexandria/internal/identity"
	"github.com/alexandria-platform/alexandria/internal/notify"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
	"github.com/alexandria-platform/alexandria/internal/processing"
	"github.com/alexandria-platform/alexandria/internal/search"
	"github.com/alexandria-platform/alexandria/internal/storage"
)

// Config is the root configuration.
type Config struct {
	HTTP    HTTP   `yaml:"http" env:"HTTP"`
	DataDir string `yaml:"data_dir" env:"DATA_DIR" doc:"where SQLite files and local data live"`
	// IdentityURL is how targets find identity (its JWKS, user lookups).
	IdentityURL string `yaml:"identity_url" env:"IDENTITY_URL" doc:"identity's base URL; empty when identity runs in this process"`
	// ServiceKey authenticates service-to-service calls made for a user.
	ServiceKey string                 `yaml:"service_key" env:"SERVICE_KEY" secret:"true" doc:"shared secret of the services' calls to one another on a user's behalf (signed links to drafts); the same on every process of a split deployment; empty: random per process, enough when all targets run in one"`
	Database   db.Config              `yaml:"database" env:"DATABASE"`
	Bus        events.Config          `yaml:"bus" env:"BUS"`
	Blob       blob.Config            `yaml:"blob" env:"BLOB"`
	Log        telemetry.LogConfig    `yaml:"log" env:"LOG"`
	Trace      telemetry.TraceConfig  `yaml:"trace" env:"TRACE"`
	Sentry     telemetry.SentryConfig `yaml:"sentry" env:"SENTRY"`
	Identity   identity.Config        `yaml:"identity" env:"IDENTITY"`
	Catalog    catalog.Config         `yaml:"catalog" env:"CATALOG"`
	Storage    storage.Config         `yaml:"storage" env:"STORAGE"`
	Processing processing.Config      `yaml:"processing" env:"PROCESSING"`
	Feeds      feeds.Config           `yaml:"feeds" env:"FEEDS"`
	Search     search.Config          `yaml:"search" env:"SEARCH"`
	Engagement engagement.Config      `yaml:"engagement" env:"ENGAGEMENT"`
	Analytics  analytics.Config       `yaml:"analytics" env:"ANALYTICS"`
	// LakeURL is where analytics writes its Parquet lake.
	LakeURL string        `yaml:"lake_url" env:"LAKE_URL" doc:"analytics' Parquet lake: a directory or file:// URL (sets analytics.lake_url); empty: lake/ in the data dir"`
	Notify  notify.Config `yaml:"notify" env:"NOTIFY"`
	// MQTTURL is the device protocol's broker (engagement's progress).
	MQTTURL string `yaml:"mqtt_url" env:"MQTT_URL" secret:"true" doc:"MQTT broker for device progress sync, e.g. mqtt://127.0.0.1:1883 (sets engagement.mqtt_url); empty: HTTP only"`
}

// HTTP configures the process's one HTTP server.
type HTTP struct {
	Addr              string        `yaml:"addr" env:"ADDR" doc:"listen address, host:port (port 0 picks a free one)"`
	OpsAddr           string        `yaml:"ops_addr" env:"OPS_ADDR" doc:"operations listener (/metrics, /livez, /readyz), host:port; never the public port; loopback by default, :9090 in the container images; empty turns it off"`
	OpsPprof          bool          `yaml:"ops_pprof" env:"OPS_PPROF" doc:"serve Go's profiles (/debug/pprof/) on the operations listener only, never the public port; off by default"`
	PublicURL         string        `yaml:"public_url" env:"PUBLIC_URL" doc:"URL users reach the platform at; printed at start"`
	ReadTimeout       time.Duration `yaml:"read_timeout" env:"READ_TIMEOUT" doc:"limit for reading a whole request"`
	WriteTimeout      time.Duration `yaml:"write_timeout" env:"WRITE_TIMEOUT" doc:"limit for writing a response"`
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT" doc:"drain deadline for in-flight requests on SIGTERM"`
	TrustForwardedFor bool          `yaml:"trust_forwarded_for" env:"TRUST_FORWARDED_FOR" doc:"take client addresses from X-Forwarded-For (only behind a proxy that sets it)"`
}

// Default returns the embedded defaults: everything runs with no file and
// no environment.
func Default() Config {
	return Config{
		HTTP: HTTP{
			Addr:            ":8080",
			OpsAddr:         "127.0.0.1:9090",
			ReadTimeout:     30 * time.Second,
			WriteTimeout:    60 * time.Second,
			ShutdownTimeout: 20 * time.Second,
		},
		DataDir:    "./data",
		Database:   db.Config{MaxOpenConns: 10, ConnMaxLifetime: time.Hour},
		Bus:        events.DefaultConfig(),
		Log:        telemetry.LogConfig{Format: "auto", Level: "info"},
		Trace:      telemetry.TraceConfig{SampleRatio: 1},
		Sentry:     telemetry.SentryConfig{SampleRate: 1, PerMinute: 60},
		Identity:   identity.DefaultConfig(),
		Catalog:    catalog.DefaultConfig(),
		Storage:    storage.DefaultConfig(),
		Processing: processing.DefaultConfig(),
		Feeds:      feeds.DefaultConfig(),
		Search:     search.DefaultConfig(),
		Engagement: engagement.DefaultConfig(),
		Analytics:  analytics.DefaultConfig(),
		Notify:     notify.DefaultConfig(),
	}
}

// Load returns the defaults with src layered on and validated.
func Load(src Sources) (Config, error) {
	c := Default()
	if err := apply(&c, src); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks every section; the message names the offending option.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		return fmt.Errorf("http.addr: %q is not host:port", c.HTTP.Addr)
	}
	if c.HTTP.OpsAddr != "" {
		_, opsPort, err := net.SplitHostPort(c.HTTP.OpsAddr)
		if err != nil {
			return fmt.Errorf("http.ops_addr: %q is not host:port", c.HTTP.OpsAddr)
		}
		if _, port, _ := net.SplitHostPort(c.HTTP.Addr); port == opsPort && port != "0" {
			return fmt.Errorf("http.ops_addr: %q uses the public port of http.addr: /metrics must not be on the public port", c.HTTP.OpsAddr)
		}
	}
	if c.HTTP.PublicURL != "" {
		if err := checkURL(c.HTTP.PublicURL); err != nil {
			return fmt.Errorf("http.public_url: %w", err)
		}
	}
	for name, d := range map[string]time.Duration{"read_timeout": c.HTTP.ReadTimeout, "write_timeout": c.HTTP.WriteTimeout, "shutdown_timeout": c.HTTP.ShutdownTimeout} {
		if d <= 0 {
			return fmt.Errorf("http.%s: must be positive", name)
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("data_dir: must not be empty")
	}
	if c.IdentityURL != "" {
		if err := checkURL(c.IdentityURL); err != nil {
			return fmt.Errorf("identity_url: %w", err)
		}
	}
	checks := []interface{ Validate() error }{c.Database, c.Bus, c.Blob, c.Log, c.Trace, c.Sentry, c.Identity, c.Catalog, c.Storage, c.Processing, c.Search, c.Feeds, c.Engagement, c.Analytics, c.Notify}
	for _, v := range checks {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// WriteYAML prints the effective configuration with secrets masked; the
// output is itself a valid configuration file.
func (c Config) WriteYAML(w io.Writer) error {
	masked := c
	cloneLists(reflect.ValueOf(&masked).Elem())
	for _, f := range collect(reflect.ValueOf(&masked).Elem(), "", EnvPrefix, false) {
		if f.secret {
			f.v.SetString(f.display())
		}
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(masked); err != nil {
		return err
	}
	return enc.Close()
}

// WriteReference prints the configuration reference as a Markdown table:
// every option with its environment variable, default and meaning.
func WriteReference(w io.Writer) error {
	d := Default()
	const head = "# Configuration reference\n\n" +
		"Generated by `alexandria config -reference` (`make docs`); do not edit by hand.\n" +
		"Precedence: embedded defaults < YAML file (`-config`) < environment < flags (`-set option=value`).\n" +
		"A list of sections (`identity.oidc.providers`) is a YAML list; in the environment and in flags its elements are\n" +
		"numbered from 0 in place of `N` (`ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ISSUER`, `-set identity.oidc.providers.0.issuer=…`),\n" +
		"and such a setting overrides that option of the file's element with the same number.\n\n" +
		"| option | environment | default | meaning |\n|---|---|---|---|"
	if _, err := fmt.Fprintln(w, head); err != nil {
		return err
	}
	for _, f := range collect(reflect.ValueOf(&d).Elem(), "", EnvPrefix, true) {
		def := f.display()
		if def == "" {
			def = "—"
		} else {
			def = "`" + def + "`"
		}
		if _, err := fmt.Fprintf(w, "| `%s` | `%s` | %s | %s |\n", f.path, f.env, def, f.doc); err != nil {
			return err
		}
	}
	return nil
}
