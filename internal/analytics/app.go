package analytics

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/alexandria-platform/alexandria/internal/analytics/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The application layer: the stream's updates (called by the consumers in
// their transaction) and the queries the handlers call.

type engageKind int

const (
	engageView engageKind = iota
	engageLike
	engageCompletion
	engageFollow
)

// engagement is one engagement event, decoded.
type engagement struct {
	kind     engageKind
	mediaID  string
	authorID string
	userID   string
	n        int64 // views, or ±1
	unique   int64
	at       time.Time
}

// engage applies one event: statistics always; trending in each window
// that still accepts the event's time.
func (s *Service) engage(ctx context.Context, st *Store, e engagement) error {
	hour := domain.Hour.Start(e.at)
	w := s.weights
	var items []string
	var dy float64
	switch e.kind {
	case engageView:
		dy, items = w.View*float64(e.n), []string{e.mediaID}
		if err := st.addItemHour(ctx, e.mediaID, hour, hourCounts{Views: e.n, UniqueViewers: e.unique}); err != nil {
			return err
		}
	case engageLike:
		dy, items = w.Like*float64(e.n), []string{e.mediaID}
		if err := st.addItemHour(ctx, e.mediaID, hour, hourCounts{Likes: e.n}); err != nil {
			return err
		}
	case engageCompletion:
		first, err := st.addCompletion(ctx, e.userID, e.mediaID, e.at.Unix())
		if err != nil || !first {
			return err
		}
		dy, items = w.Completion, []string{e.mediaID}
		if err := st.addItemHour(ctx, e.mediaID, hour, hourCounts{Completions: 1}); err != nil {
			return err
		}
	case engageFollow:
		if err := st.addFollower(ctx, e.authorID, hour); err != nil {
			return err
		}
		ids, err := st.authorMedia(ctx, e.authorID, true)
		if err != nil {
			return err
		}
		dy, items = w.Follow, ids
	}
	if dy == 0 {
		return nil
	}
	now := s.now()
	for _, win := range domain.Windows {
		if !win.Accepts(e.at, now, s.lateness) {
			s.metrics.late.WithLabelValues(string(win)).Inc()
			continue
		}
		start := win.Start(e.at)
		for _, id := range items {
			if err := st.addScore(ctx, win, start, id, dy); err != nil {
				return err
			}
		}
	}
	return nil
}

// TrendingItem is a visible item's score in a window.
type TrendingItem struct {
	MediaID string
	Kind    string
	domain.Score
}

// Filter narrows a ranking.
type Filter struct {
	Kind       string
	CategoryID string
	Language   string
}

// rank scores the visible items of the window holding at (υ against the
// window's top visible item, whatever the filter), keeps those matching f,
// and sorts them by phi (trending) or y (popular).
func (s *Service) rank(ctx context.Context, w domain.Window, at time.Time, f Filter, byY bool, limit int) ([]TrendingItem, int64, error) {
	start := w.Start(at)
	rows, err := s.store.windowScores(ctx, w, start)
	if err != nil {
		return nil, 0, err
	}
	var top float64
	for _, r := range rows {
		top = max(top, r.Y)
	}
	out := make([]TrendingItem, 0, len(rows))
	for _, r := range rows {
		if f.Kind != "" && r.Kind != f.Kind || f.Language != "" && r.Language != f.Language ||
			f.CategoryID != "" && !slices.Contains(splitIDs(r.CategoryIDs), f.CategoryID) {
			continue
		}
		out = append(out, TrendingItem{MediaID: r.MediaID, Kind: r.Kind, Score: domain.Compute(r.Y, r.YPrev, top)})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ka, kb := a.Phi, b.Phi
		if byY {
			ka, kb = a.Y, b.Y
		}
		if ka != kb {
			return ka > kb
		}
		return a.MediaID < b.MediaID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, start, nil
}

// Interval is a statistics bucket.
type Interval string

// Point is one bucket's counts.
type Point struct {
	Start         time.Time
	Views         int64
	UniqueViewers int64
	Likes         int64
	Completions   int64
	NewFollowers  int64
}

// Timeseries is an author's statistics over a range.
type Timeseries struct {
	Total []Point
	Items map[string][]Point
}

const maxPoints = 1000

// authorTimeseries reads an author's counts per hour or day in [from, to);
// only the author's members may.
func (s *Service) authorTimeseries(ctx context.Context, authorID string, from, to time.Time, interval string) (Timeseries, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Timeseries{}, err
	}
	var v errs.Validation
	step := int64(3600)
	switch interval {
	case "hour":
	case "day":
		step = 86400
	default:
		v.Add("interval", "must be hour or day")
	}
	v.Check(validID(authorID), "id", "must be an author ID")
	v.Check(!from.IsZero(), "from", "required (RFC 3339)")
	v.Check(!to.IsZero(), "to", "required (RFC 3339)")
	if err := v.Err(); err != nil {
		return Timeseries{}, err
	}
	first := floor(from.Unix(), step)
	end := floor(to.Unix()+step-1, step)
	if end <= first {
		return Timeseries{}, errs.InvalidField("to", "must be after from")
	}
	if (end-first)/step > maxPoints {
		return Timeseries{}, errs.InvalidField("to", "at most %d %ss between from and to", maxPoints, interval)
	}
	member, err := s.store.isMember(ctx, authorID, p.UserID)
	if err != nil {
		return Timeseries{}, err
	}
	if !member {
		return Timeseries{}, errs.Forbiddenf("only the author's members may read its statistics")
	}
	hours, err := s.store.authorItemHours(ctx, authorID, first, end)
	if err != nil {
		return Timeseries{}, err
	}
	followers, err := s.store.authorFollowerHours(ctx, authorID, first, end)
	if err != nil {
		return Timeseries{}, err
	}
	n := int((end - first) / step)
	blank := func() []Point {
		pts := make([]Point, n)
		for i := range pts {
			pts[i].Start = time.Unix(first+int64(i)*step, 0).UTC()
		}
		return pts
	}
	out := Timeseries{Total: blank(), Items: map[string][]Point{}}
	ids, err := s.store.authorMedia(ctx, authorID, false)
	if err != nil {
		return Timeseries{}, err
	}
	for _, id := range ids {
		out.Items[id] = blank()
	}
	for _, h := range hours {
		i := int((floor(h.Hour, step) - first) / step)
		for _, pt := range []*Point{&out.Total[i], &out.Items[h.MediaID][i]} {
			pt.Views += h.Views
			pt.UniqueViewers += h.UniqueViewers
			pt.Likes += h.Likes
			pt.Completions += h.Completions
		}
	}
	for _, f := range followers {
		out.Total[(floor(f.Hour, step)-first)/step].NewFollowers += f.NewFollowers
	}
	return out, nil
}

func floor(u, step int64) int64 { return u - ((u%step)+step)%step }

// relatedItems lists the visible items related to a visible one.
func (s *Service) relatedItems(ctx context.Context, mediaID string, limit int) ([]relatedRow, error) {
	if !validID(mediaID) {
		return nil, errs.NotFoundf("no such media item")
	}
	ok, err := s.store.mediaVisible(ctx, mediaID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.NotFoundf("no such media item")
	}
	return s.store.related(ctx, mediaID, limit)
}
