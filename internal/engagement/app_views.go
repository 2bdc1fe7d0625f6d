package engagement

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

// viewBuffer collects counted views between flushes, keyed by their dedup
// key (the hash of viewer, item and hour): a viewer repeating a view within
// a batch costs nothing, and the store takes one batch of distinct rows per
// flush instead of a row update per view. Hashes are made here, on the
// request goroutines, so the flush does not hash; the viewer itself is not
// kept, only its hash for the item's sketch.
type viewBuffer struct {
	mu      sync.Mutex
	pending map[int64]pendingView
	wake    chan struct{}
	limit   int
	// recent remembers the keys of views already counted (committed), so a
	// viewer repeating a view within the hour is dropped here without
	// touching the store.
	recent *recentViews
}

func newViewBuffer(limit int) *viewBuffer {
	return &viewBuffer{pending: map[int64]pendingView{}, wake: make(chan struct{}, 1), limit: limit, recent: newRecentViews(recentViewSlots)}
}

// add queues a view; it reports false when the view is known to be counted
// already (this process committed its key this hour).
func (b *viewBuffer) add(k viewKey) bool {
	v := newPendingView(k)
	if b.recent.has(v.Key) {
		return false
	}
	b.mu.Lock()
	b.pending[v.Key] = v
	full := len(b.pending) >= b.limit
	b.mu.Unlock()
	if full {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	return true
}

func (b *viewBuffer) take() []pendingView {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		return nil
	}
	out := make([]pendingView, 0, len(b.pending))
	for _, v := range b.pending {
		out = append(out, v)
	}
	b.pending = make(map[int64]pendingView, len(out))
	return out
}

// putBack returns a batch whose flush failed, to be tried again.
func (b *viewBuffer) putBack(views []pendingView) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, v := range views {
		b.pending[v.Key] = v
	}
}

// recentViewSlots is the size of the in-memory set of counted view keys
// (8 bytes a slot: 2 MiB).
const recentViewSlots = 1 << 18

// recentViews is a bounded, direct-mapped set of view keys counted by this
// process: each key has one slot (its low bits), a newer key overwrites an
// older one there. A hit is exact (the whole 63-bit key matches, and keys
// carry their hour, so a key of an earlier hour never matches a later
// view); a miss only means "ask the store", whose unique key keeps the
// count exact across replicas and restarts.
type recentViews struct {
	slots []atomic.Uint64
	mask  uint64
}

func newRecentViews(size int) *recentViews {
	return &recentViews{slots: make([]atomic.Uint64, size), mask: uint64(size - 1)} //nolint:gosec // a power of two
}

// A slot holds key | 1<<63 (keys are 63 bits), so an empty slot (0) matches
// no key.
const recentMark = 1 << 63

func (r *recentViews) has(key int64) bool {
	u := uint64(key) //nolint:gosec // bits
	return r.slots[u&r.mask].Load() == u|recentMark
}

func (r *recentViews) remember(views []pendingView) {
	for _, v := range views {
		u := uint64(v.Key) //nolint:gosec // bits
		r.slots[u&r.mask].Store(u | recentMark)
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
	if !s.views.add(viewKey{MediaID: mediaID, Viewer: viewer, Hour: domain.Hour(now)}) {
		s.metrics.viewsKnown.Inc()
	}
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
		counted, err := st.countPending(ctx, keys)
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
	// Every key of the batch is in view_hours now (counted by this batch or
	// an earlier one): repeats this hour stop at the buffer.
	s.views.recent.remember(keys)
	s.metrics.flushSeconds.Observe(time.Since(start).Seconds())
	return len(keys), nil
}

// runViewFlusher counts the buffer by time or by size, whichever comes
// first: interval after the previous flush ended, or at once when the
// buffer reaches its limit, until ctx ends, then once more so that nothing
// queued is lost on a clean stop. Each flush takes the whole backlog, so a
// burst makes larger batches, not more of them; and the interval restarts
// after a flush, so a flush the limit set off is not followed by a small
// one the clock set off.
func (s *Service) runViewFlusher(interval time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTimer(interval)
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
			t.Reset(interval)
		}
	}
}

// metrics are engagement's own Prometheus series.
type metrics struct {
	views        *prometheus.CounterVec
	viewsKnown   prometheus.Counter
	flushSeconds prometheus.Histogram
	mqtt         *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		views: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_engagement_views_total",
			Help: "View reports by outcome (queued, too_short, crawler)."}, []string{"outcome"}),
		viewsKnown: prometheus.NewCounter(prometheus.CounterOpts{Name: "alexandria_engagement_views_known_total",
			Help: "Queued views dropped in memory because this viewer, item and hour were already counted."}),
		flushSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "alexandria_engagement_view_flush_seconds",
			Help: "Time to count one batch of views.", Buckets: prometheus.DefBuckets}),
		mqtt: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_engagement_mqtt_messages_total",
			Help: "MQTT progress messages by result (applied, stale, bad_token, wrong_user, invalid)."}, []string{"result"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.views, m.viewsKnown, m.flushSeconds, m.mqtt} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
