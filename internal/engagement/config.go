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
}

// DefaultConfig returns the built-in settings.
func DefaultConfig() Config {
	return Config{ViewFlushInterval: 500 * time.Millisecond, ViewBufferLimit: 20000}
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
	return errors.Join(problems...)
}
