// Package events gives a service its side of the event backbone, on top of
// its own store and a bus transport:
//
//   - Record writes an event into the service's outbox table in the same
//     transaction as the change it describes;
//   - the relay publishes outbox rows in order and deletes them, one relay
//     per service at a time (each batch takes a transaction-scoped
//     PostgreSQL advisory lock);
//   - Handle registers consumers, which run each event in a transaction that
//     also records the event ID in the inbox (so redeliveries have no second
//     effect), acknowledge only after that commits, retry with exponential
//     backoff, and park the event as a dead letter after MaxAttempts.
package events

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the outbox, inbox and dead-letter tables in a service's
// store. They are tracked in their own version table (VersionTable).
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// VersionTable tracks Migrations apart from the service's own migrations.
const VersionTable = "goose_events_version"

// Config tunes delivery. The section is "bus" in the root configuration.
type Config struct {
	URL          string        `yaml:"url" env:"URL" secret:"true" doc:"transport: empty (embedded durable bus), nats://, kafka://, amqp://, gcppubsub://, awssqs://, awssns://, redis://, postgres://"`
	MaxAttempts  int           `yaml:"max_attempts" env:"MAX_ATTEMPTS" doc:"attempts before an event becomes a dead letter"`
	RetryInitial time.Duration `yaml:"retry_initial" env:"RETRY_INITIAL" doc:"wait before the second attempt; doubles each time"`
	RetryMax     time.Duration `yaml:"retry_max" env:"RETRY_MAX" doc:"longest wait between attempts"`
	RelayBatch   int           `yaml:"relay_batch" env:"RELAY_BATCH" doc:"outbox rows published per round"`
	RelayPoll    time.Duration `yaml:"relay_poll" env:"RELAY_POLL" doc:"how often an idle relay looks for rows written by other processes"`
	InboxTTL     time.Duration `yaml:"inbox_ttl" env:"INBOX_TTL" doc:"how long handled event IDs are remembered for deduplication"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxAttempts: 5, RetryInitial: 200 * time.Millisecond, RetryMax: 30 * time.Second,
		RelayBatch: 200, RelayPoll: time.Second, InboxTTL: 7 * 24 * time.Hour}
}

// Validate checks the values; messages name the option.
func (c Config) Validate() error {
	if err := bus.ValidateURL(c.URL); err != nil {
		return err
	}
	switch {
	case c.MaxAttempts < 1:
		return fmt.Errorf("bus.max_attempts: must be at least 1")
	case c.RetryInitial <= 0 || c.RetryMax < c.RetryInitial:
		return fmt.Errorf("bus.retry_initial/retry_max: need 0 < retry_initial <= retry_max")
	case c.RelayBatch < 1 || c.RelayBatch > 10000:
		return fmt.Errorf("bus.relay_batch: must be between 1 and 10000")
	case c.RelayPoll <= 0:
		return fmt.Errorf("bus.relay_poll: must be positive")
	case c.InboxTTL < time.Hour:
		return fmt.Errorf("bus.inbox_ttl: must be at least 1h")
	case c.retryBudget() > maxRetryBudget:
		return fmt.Errorf("bus.max_attempts/retry_initial/retry_max: the waits between attempts add up to %v; "+
			"keep them under %v, or brokers redeliver the event while it is still being retried", c.retryBudget(), maxRetryBudget)
	}
	return nil
}

// maxRetryBudget keeps a consumer's retries of one event well inside the
// brokers' acknowledgement deadlines (30 s for NATS, SQS and Redis here).
const maxRetryBudget = 20 * time.Second

// retryBudget is the total wait between the attempts of one event.
func (c Config) retryBudget() time.Duration {
	var total time.Duration
	wait := c.RetryInitial
	for i := 1; i < c.MaxAttempts && total <= maxRetryBudget; i++ {
		total += wait
		wait = min(2*wait, c.RetryMax)
	}
	return total
}

type causeKey struct{}

// withCause marks ctx as handling e: events recorded under it carry e's
// correlation ID and e's ID as their causation ID.
func withCause(ctx context.Context, e bus.Event) context.Context {
	return context.WithValue(ctx, causeKey{}, e)
}

func causeOf(ctx context.Context) (bus.Event, bool) {
	e, ok := ctx.Value(causeKey{}).(bus.Event)
	return e, ok
}
