package engagement

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

// viewBuffer collects counted views between flushes: a set, so that a
// viewer repeating a view within a batch costs nothing, and the store
// takes one batch of distinct rows per flush instead of a row update per
// view.
type viewBuffer struct {
	mu      sync.Mutex
	pending map[viewKey]struct{}
	wake    chan struct{}
	limit   int
}

func newViewBuffer(limit int) *viewBuffer {
	return &viewBuffer{pending: map[viewKey]struct{}{}, wake: make(chan struct{}, 1), limit: limit}
}

func (b *viewBuffer) add(k viewKey) {
	b.mu.Lock()
	b.pending[k] = struct{}{}
	full := len(b.pending) >= b.limit
	b.mu.Unlock()
	if full {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
}

func (b *viewBuffer) take() []viewKey {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		return nil
	}
	out := make([]viewKey, 0, len(b.pending))
	for k := range b.pending {
		out = append(out, k)
	}
	b.pending = make(map[viewKey]struct{}, len(out))
	return out
}

// putBack returns a batch whose flush failed, to be tried again.
func (b *viewBuffer) putBack(keys []viewKey) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		b.pending[k] = struct{}{}
	}
}

// viewOutcome says what became of a reported sighting.
type viewOutcome string

const (
	viewQueued  viewOutcome = "queued"
	viewShort   viewOutcome = "too_short"
	viewCrawler viewOutcome = "crawler"
)

// recordView queues a sighting of a visible item for counting.
func (s *Service) recordView(ctx context.Context, userID, address, userAgent, mediaID string, seen domain.Sighting) (viewOutcome, error) {
	if err := s.viewable(ctx, mediaID); err != nil {
		return "", err
	}
	var outcome viewOutcome
	switch {
	case domain.IsCrawler(userAgent):
		outcome = viewCrawler
	case !seen.Counts():
		outcome = viewShort
	default:
		outcome = viewQueued
	}
	s.metrics.views.WithLabelValues(string(outcome)).Inc()
	if outcome != viewQueued {
		return outcome, nil
	}
	now := s.now()
	viewer := domain.UserViewer(userID)
	if userID == "" {
		salt, err := s.salt(ctx, now)
		if err != nil {
			return "", err
		}
		viewer = domain.AnonymousViewer(salt, address, userAgent)
	}
	s.views.add(viewKey{MediaID: mediaID, Viewer: viewer, Hour: domain.Hour(now)})
	return outcome, nil
}

// salt returns today's salt, cached for the day.
func (s *Service) salt(ctx context.Context, now time.Time) ([]byte, error) {
	day := domain.SaltDay(now)
	s.saltMu.Lock()
	defer s.saltMu.Unlock()
	if s.saltDay == day {
		return s.saltValue, nil
	}
	var salt []byte
	err := s.store.Tx(ctx, func(st *Store) error {
		var err error
		salt, err = st.daySalt(ctx, day)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.saltDay, s.saltValue = day, salt
	return salt, nil
}

// flushViews counts one batch of buffered views in one transaction, with
// one view.recorded event per item.
func (s *Service) flushViews(ctx context.Context) (int, error) {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	keys := s.views.take()
	if len(keys) == 0 {
		return 0, nil
	}
	start := time.Now()
	err := s.store.Tx(ctx, func(st *Store) error {
		counted, err := st.countViews(ctx, keys)
		if err != nil {
			return err
		}
		at := s.now()
		if hour := domain.Hour(at); hour != s.prunedHour {
			if err := st.pruneViewHours(ctx, hour-1); err != nil {
				return err
			}
			s.prunedHour = hour
		}
		for id, c := range counted {
			if err := st.record(ctx, EventViewRecorded, "view/"+id, id,
				viewRecordedV1{MediaID: id, Views: c.Views, UniqueViewers: c.UniqueViewers, CountedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.views.putBack(keys)
		return 0, err
	}
	s.metrics.flushSeconds.Observe(time.Since(start).Seconds())
	return len(keys), nil
}

// runViewFlusher flushes the buffer every interval (or when it fills) until
// ctx ends, then once more so that nothing queued is lost on a clean stop.
func (s *Service) runViewFlusher(interval time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				defer cancel()
				if _, err := s.flushViews(final); err != nil {
					s.log.ErrorContext(final, "engagement: last view flush failed", slog.Any("error", err))
				}
				return ctx.Err()
			case <-t.C:
			case <-s.views.wake:
			}
			if _, err := s.flushViews(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "engagement: view flush failed, will retry", slog.Any("error", err))
			}
		}
	}
}

// metrics are engagement's own Prometheus series.
type metrics struct {
	views        *prometheus.CounterVec
	flushSeconds prometheus.Histogram
	mqtt         *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		views: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_engagement_views_total",
			Help: "View reports by outcome (queued, too_short, crawler)."}, []string{"outcome"}),
		flushSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "alexandria_engagement_view_flush_seconds",
			Help: "Time to count one batch of views.", Buckets: prometheus.DefBuckets}),
		mqtt: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_engagement_mqtt_messages_total",
			Help: "MQTT progress messages by result (applied, stale, bad_token, wrong_user, invalid)."}, []string{"result"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.views, m.flushSeconds, m.mqtt} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
