// Package notify is the notify target: it turns events into notifications
// (items from what a user follows; processing outcomes, new members and
// resolved reports for an author's members), keeps each user's inbox with a
// live Server-Sent Events stream, fans a published item out to its
// followers in batches, and delivers e-mails (SMTP, or .eml files) once per
// channel according to each user's preferences.
//
// Rules live in package domain; app*.go are the commands and workers;
// store*.go is the repository, the only place with SQL; each
// noun_verb.go file is one thin HTTP operation.
package notify

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/clock"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are notify's goose migrations.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running notify target.
type Service struct {
	cfg           Config
	db            *db.DB
	store         *Store
	events        *events.Pipeline
	log           *slog.Logger
	metrics       *metrics
	hub           *hub
	mail          mailer
	unsubKey      []byte
	publicURL     string
	group         *lifecycle.Group
	ownGroup      bool
	now           func() time.Time
	skew          atomic.Int64 // tests move the clock forward (digests, quiet hours)
	fanoutWake    chan struct{}
	deliveryWake  chan struct{}
	webhookWake   chan struct{}
	guard         ssrfGuard
	webhookClient *http.Client
	mobile        mobilePusher
	draining      chan struct{}
	drainOnce     sync.Once
}

// Drain ends the open SSE streams (module.Drainer): clients reconnect, with
// Last-Event-ID, to another replica or to this one once restarted.
func (s *Service) Drain() { s.drainOnce.Do(func() { close(s.draining) }) }

// New opens and migrates notify's store, registers its routes and
// consumers, and starts the fan-out and delivery workers.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("notify: no event bus")
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "notify", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, fmt.Errorf("notify store: %w", err)
	}
	s, err := build(ctx, cfg, d, store)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return s, nil
}

func build(ctx context.Context, cfg Config, d module.Deps, store *db.DB) (*Service, error) {
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return nil, fmt.Errorf("notify store: %w", err)
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "notify"); err != nil {
			return nil, fmt.Errorf("notify metrics: %w", err)
		}
	}
	log := d.Log()
	group, ownGroup := d.Group("notify")
	setup := d.EventsSetup("notify", store)
	setup.Group = group
	pipeline, err := events.New(ctx, setup)
	if err != nil {
		return nil, fmt.Errorf("notify events: %w", err)
	}
	s := &Service{cfg: cfg, db: store, store: NewStore(store), events: pipeline, log: log, hub: newHub(),
		publicURL: strings.TrimSuffix(d.PublicURL, "/"), group: group, ownGroup: ownGroup,
		fanoutWake: make(chan struct{}, 1), deliveryWake: make(chan struct{}, 1),
		webhookWake: make(chan struct{}, 1), draining: make(chan struct{})}
	s.now = func() time.Time { return clock.Stamp(time.Now().Add(time.Duration(s.skew.Load()))) }
	allow, err := parseAllow(cfg.WebhookAllow)
	if err != nil {
		return nil, fmt.Errorf("notify.webhook_allow: %w", err)
	}
	s.guard = ssrfGuard{allow: allow}
	s.webhookClient = s.guard.client(cfg.WebhookTimeout)
	if s.publicURL == "" {
		s.publicURL = strings.TrimSuffix(d.IdentityURL, "/")
	}
	s.unsubKey = []byte(cfg.UnsubscribeKey)
	if len(s.unsubKey) == 0 {
		s.unsubKey = []byte(d.ServiceKey)
	}
	if len(s.unsubKey) == 0 {
		s.unsubKey = make([]byte, 32)
		_, _ = rand.Read(s.unsubKey)
		log.WarnContext(ctx, "notify: no unsubscribe_key or service key: unsubscribe links will not survive a restart")
	}
	if s.mobile, err = newMobilePusher(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.SESRegion != "" {
		if s.mail, err = newSESMailer(ctx, cfg); err != nil {
			return nil, err
		}
	} else if cfg.SMTPURL != "" {
		if s.mail, err = newSMTPMailer(cfg); err != nil {
			return nil, err
		}
	} else {
		dir := cfg.MailDir
		if dir == "" {
			dir = filepath.Join(d.DataDir, "notify-mail")
		}
		s.mail = fileMailer{dir: dir, from: cfg.MailFrom, log: log}
	}
	if s.metrics, err = newMetrics(d.Metrics, s); err != nil {
		return nil, fmt.Errorf("notify metrics: %w", err)
	}
	s.register(d.API)
	s.registerStream(d)
	pipeline.RegisterAdmin(d.API)
	s.handleEvents(pipeline)
	if err := pipeline.Start(); err != nil {
		return nil, fmt.Errorf("notify events: %w", err)
	}
	for name, run := range map[string]lifecycle.Run{
		"fan-out":  s.runFanout(cfg.FanoutBatch, cfg.PollInterval),
		"delivery": s.runDelivery(cfg.PollInterval),
		"webhooks": s.runWebhooks(cfg.PollInterval),
	} {
		if err := group.Go(name, run); err != nil {
			return nil, errors.Join(fmt.Errorf("notify: %w", err), s.stopOwnGroup(ctx))
		}
	}
	return s, nil
}

// Ready pings the store.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Close stops the event pipeline and (when notify owns it) its workers,
// then releases the store.
func (s *Service) Close(ctx context.Context) error {
	return errors.Join(s.events.Close(ctx), s.stopOwnGroup(ctx), s.db.Close())
}

func (s *Service) stopOwnGroup(ctx context.Context) error {
	if !s.ownGroup {
		return nil
	}
	return s.group.Stop(ctx)
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }

type metrics struct {
	created    prometheus.Counter
	fanoutRows prometheus.Counter
	sent       *prometheus.CounterVec
	failures   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, s *Service) (*metrics, error) {
	m := &metrics{
		created: prometheus.NewCounter(prometheus.CounterOpts{Name: "alexandria_notify_notifications_total",
			Help: "Notifications written into inboxes."}),
		fanoutRows: prometheus.NewCounter(prometheus.CounterOpts{Name: "alexandria_notify_fanout_rows_total",
			Help: "Inbox rows written by the fan-out of published items."}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_notify_deliveries_total",
			Help: "Deliveries sent, by channel."}, []string{"channel"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_notify_delivery_failures_total",
			Help: "Failed delivery attempts, by channel."}, []string{"channel"}),
	}
	if reg == nil {
		return m, nil
	}
	streams := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "alexandria_notify_streams",
		Help: "Open notification streams (SSE) in this process."}, func() float64 { return float64(s.hub.streams()) })
	for _, c := range []prometheus.Collector{m.created, m.fanoutRows, m.sent, m.failures, streams} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
