package engagement

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes engagement.
type Config struct {
	ViewFlushInterval time.Duration `yaml:"view_flush_interval" env:"VIEW_FLUSH_INTERVAL" doc:"how often buffered views are counted (counts lag by about this much)"`
	ViewBufferLimit   int           `yaml:"view_buffer_limit" env:"VIEW_BUFFER_LIMIT" doc:"distinct buffered views that trigger a flush before the interval"`
	// VisibilityCacheTTL bounds how long a replica trusts what it knows of
	// an item's visibility on the view path (its own consumer's changes
	// apply at once).
	VisibilityCacheTTL time.Duration `yaml:"visibility_cache_ttl" env:"VISIBILITY_CACHE_TTL" doc:"how long the view path trusts a cached 'item is visible' answer when another replica may have applied the change (0: read the store on every view)"`
	// MQTTURL turns on progress over MQTT; the top-level mqtt_url
	// (ALEXANDRIA_MQTT_URL) sets it too.
	MQTTURL       string        `yaml:"mqtt_url" env:"MQTT_URL" secret:"true" doc:"MQTT broker for device progress, mqtt://[user:password@]host:1883 (mqtts:// for TLS); empty: progress over HTTP only"`
	MQTTClientID  string        `yaml:"mqtt_client_id" env:"MQTT_CLIENT_ID" doc:"client ID of engagement's persistent MQTT session (one per deployment)"`
	CatalogURL    string        `yaml:"catalog_url" env:"CATALOG_URL" doc:"catalog's base URL, called to remove reported media and authors (empty: the identity URL, i.e. this process in all mode)"`
	TokenCacheTTL time.Duration `yaml:"token_cache_ttl" env:"TOKEN_CACHE_TTL" doc:"how long a checked MQTT api_token (good or bad) is remembered"`
}

// DefaultConfig returns the built-in settings.
func DefaultConfig() Config {
	return Config{ViewFlushInterval: 500 * time.Millisecond, ViewBufferLimit: 20000, VisibilityCacheTTL: 2 * time.Second,
		MQTTClientID: "alexandria-engagement", TokenCacheTTL: 30 * time.Second}
}

// Validate reports out-of-range settings.
func (c Config) Validate() error {
	var problems []error
	if c.ViewFlushInterval < 10*time.Millisecond || c.ViewFlushInterval > time.Minute {
		problems = append(problems, fmt.Errorf("engagement.view_flush_interval: must be between 10ms and 1m (got %s)", c.ViewFlushInterval))
	}
	if c.ViewBufferLimit < 1 || c.ViewBufferLimit > 1_000_000 {
		problems = append(problems, fmt.Errorf("engagement.view_buffer_limit: must be between 1 and 1000000 (got %d)", c.ViewBufferLimit))
	}
	if c.VisibilityCacheTTL < 0 || c.VisibilityCacheTTL > time.Minute {
		problems = append(problems, fmt.Errorf("engagement.visibility_cache_ttl: must be between 0 and 1m (got %s)", c.VisibilityCacheTTL))
	}
	if c.MQTTURL != "" {
		if _, err := brokerAddress(c.MQTTURL); err != nil {
			problems = append(problems, err)
		}
		if c.MQTTClientID == "" || len(c.MQTTClientID) > 64 {
			problems = append(problems, fmt.Errorf("engagement.mqtt_client_id: must be 1 to 64 characters"))
		}
	}
	if c.TokenCacheTTL < 0 || c.TokenCacheTTL > 10*time.Minute {
		problems = append(problems, fmt.Errorf("engagement.token_cache_ttl: must be between 0 and 10m (got %s)", c.TokenCacheTTL))
	}
	return errors.Join(problems...)
}
