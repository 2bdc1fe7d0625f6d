package engagement

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The store's contract, the same on SQLite and PostgreSQL: every repository
// operation the service relies on, called directly (no HTTP, no events
// consumed), each case on a fresh store.
func TestStoreContract(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T, ctx context.Context, st *Store){
		"media_versions_order":         contractMediaVersions,
		"views_once_per_hour":          contractViewsOncePerHour,
		"unique_viewers_estimate":      contractUniqueViewers,
		"day_salt_rotates":             contractDaySalt,
		"progress_later_wins":          contractProgressLaterWins,
		"progress_list_visible_only":   contractProgressVisibleOnly,
		"likes_and_follows_idempotent": contractLikesFollows,
		"erase_user_keeps_counts":      contractEraseUser,
	}
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			for name, fn := range cases {
				t.Run(name, func(t *testing.T) {
					h := moduletest.NewHarness(t, s)
					svc, err := New(context.Background(), DefaultConfig(), h.Deps)
					if err != nil {
						t.Fatal(err)
					}
					h.Start(t, svc)
					ctx := context.Background()
					if err := svc.store.Tx(ctx, func(st *Store) error { fn(t, ctx, st); return nil }); err != nil {
						t.Fatal(err)
					}
				})
			}
		})
	}
}

// must fails the test on err, else yields v: must(f())(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func publish(t *testing.T, ctx context.Context, st *Store, id, status string, version int64) {
	t.Helper()
	d, pages, now := 600.0, 100, time.Now().UTC()
	must(st.applyMedia(ctx, domain.Media{ID: id, Kind: domain.KindVideo, Title: "t", Status: status,
		DurationSeconds: &d, Pages: &pages, PublishedAt: &now, Version: version}))(t)
}

func contractMediaVersions(t *testing.T, ctx context.Context, st *Store) {
	id := uuid.NewString()
	publish(t, ctx, st, id, domain.MediaPublished, 2)
	if applied := must(st.applyMedia(ctx, domain.Media{ID: id, Kind: domain.KindVideo, Status: "draft", Version: 1}))(t); applied {
		t.Fatal("an older version was applied")
	}
	m, ok, err := st.media(ctx, id)
	if err != nil || !ok || !m.Visible() || m.Version != 2 {
		t.Fatalf("media = %+v %v %v", m, ok, err)
	}
	publish(t, ctx, st, id, "draft", 3)
	if m, _, _ := st.media(ctx, id); m.Visible() {
		t.Fatal("version 3 (draft) should hide the item")
	}
	if _, ok, _ := st.media(ctx, uuid.NewString()); ok {
		t.Fatal("an unknown item exists")
	}
}

func contractViewsOncePerHour(t *testing.T, ctx context.Context, st *Store) {
	a, b := uuid.NewString(), uuid.NewString()
	batch := []viewKey{{a, "u:1", 10}, {a, "u:2", 10}, {b, "u:1", 10}}
	got := must(st.countViews(ctx, batch))(t)
	if got[a].Views != 2 || got[b].Views != 1 || got[a].UniqueViewers != 2 || got[b].UniqueViewers != 1 {
		t.Fatalf("first batch: %+v", got)
	}
	// The same views again in the same hour count nothing.
	if again := must(st.countViews(ctx, batch))(t); len(again) != 0 {
		t.Fatalf("repeated batch counted %+v", again)
	}
	// The next hour counts them again as views, not as new viewers.
	next := must(st.countViews(ctx, []viewKey{{a, "u:1", 11}, {a, "u:3", 11}}))(t)
	if next[a].Views != 2 || next[a].UniqueViewers != 1 {
		t.Fatalf("next hour: %+v", next)
	}
	stats := must(st.mediaStats(ctx, a))(t)
	if stats.Views != 4 || stats.UniqueViewers != 3 {
		t.Fatalf("stats of a: %+v", stats)
	}
	// Pruning the hours before 11 forgets hour 10 (and only it).
	if err := st.pruneViewHours(ctx, 11); err != nil {
		t.Fatal(err)
	}
	var left []int64
	if err := st.idb.NewRaw("SELECT hour FROM view_hours").Scan(ctx, &left); err != nil || len(left) != 2 || left[0] != 11 || left[1] != 11 {
		t.Fatalf("after pruning: %v %v", left, err)
	}
	if again := must(st.countViews(ctx, []viewKey{{a, "u:3", 11}}))(t); len(again) != 0 {
		t.Fatalf("hour 11 was pruned: %+v", again)
	}
}

func contractUniqueViewers(t *testing.T, ctx context.Context, st *Store) {
	id := uuid.NewString()
	const viewers = 20000
	for batch := range 4 {
		keys := make([]viewKey, 0, viewers/4)
		for i := batch * viewers / 4; i < (batch+1)*viewers/4; i++ {
			keys = append(keys, viewKey{id, fmt.Sprintf("a:%x", i), 5})
		}
		must(st.countViews(ctx, keys))(t)
	}
	// Every one of them again, an hour later: views double, viewers do not.
	keys := make([]viewKey, 0, viewers)
	for i := range viewers {
		keys = append(keys, viewKey{id, fmt.Sprintf("a:%x", i), 6})
	}
	must(st.countViews(ctx, keys))(t)
	stats := must(st.mediaStats(ctx, id))(t)
	if stats.Views != 2*viewers {
		t.Fatalf("views = %d", stats.Views)
	}
	if off := math.Abs(float64(stats.UniqueViewers-viewers)) / viewers; off > 4*domain.SketchError {
		t.Fatalf("unique viewers %d for %d (%.1f%% off)", stats.UniqueViewers, viewers, 100*off)
	}
}

func contractDaySalt(t *testing.T, ctx context.Context, st *Store) {
	one := must(st.daySalt(ctx, "2026-12-01"))(t)
	if again := must(st.daySalt(ctx, "2026-12-01"))(t); string(again) != string(one) || len(one) != 32 {
		t.Fatal("a day's salt changed or is short")
	}
	two := must(st.daySalt(ctx, "2026-12-02"))(t)
	if string(two) == string(one) {
		t.Fatal("a new day kept the salt")
	}
	var days []string
	if err := st.idb.NewRaw("SELECT day FROM view_salts").Scan(ctx, &days); err != nil || len(days) != 1 || days[0] != "2026-12-02" {
		t.Fatalf("salts kept: %v %v", days, err)
	}
}

func progressAt(user, media string, seconds float64, at time.Time) domain.Progress {
	return domain.Progress{UserID: user, MediaID: media, Position: domain.Position{Seconds: &seconds},
		Percent: seconds / 6, Finished: seconds >= 570, Device: "d", ClientTime: at, UpdatedAt: at}
}

func contractProgressLaterWins(t *testing.T, ctx context.Context, st *Store) {
	user, id := uuid.NewString(), uuid.NewString()
	publish(t, ctx, st, id, domain.MediaPublished, 1)
	base := time.Now().UTC().Truncate(time.Second)
	if _, applied := must2(st.putProgress(ctx, progressAt(user, id, 100, base)))(t); !applied {
		t.Fatal("first not applied")
	}
	stored, applied := must2(st.putProgress(ctx, progressAt(user, id, 50, base.Add(-time.Minute))))(t)
	if applied || *stored.Position.Seconds != 100 {
		t.Fatalf("an older report won: %+v", stored)
	}
	if _, applied := must2(st.putProgress(ctx, progressAt(user, id, 590, base.Add(time.Minute))))(t); !applied {
		t.Fatal("a later report lost")
	}
	if c := must(st.mediaStats(ctx, id))(t); c.Completions != 1 {
		t.Fatalf("completions = %d", c.Completions)
	}
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

func contractProgressVisibleOnly(t *testing.T, ctx context.Context, st *Store) {
	user := uuid.NewString()
	base := time.Now().UTC().Truncate(time.Second)
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = uuid.NewString()
		publish(t, ctx, st, ids[i], domain.MediaPublished, 1)
		must2(st.putProgress(ctx, progressAt(user, ids[i], 60, base.Add(time.Duration(i)*time.Minute))))(t)
	}
	publish(t, ctx, st, ids[3], "draft", 2)
	// Pages of two, latest first, without the hidden item.
	var got []string
	var after *progressPosition
	for range 5 {
		page := must(st.progressList(ctx, user, false, after, 2))(t)
		for _, p := range page {
			got = append(got, p.MediaID)
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = &progressPosition{ClientTime: last.ClientTime, MediaID: last.MediaID}
	}
	want := []string{ids[4], ids[2], ids[1], ids[0]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	if other := must(st.progressList(ctx, uuid.NewString(), false, nil, 10))(t); len(other) != 0 {
		t.Fatalf("another user sees %v", other)
	}
}

func contractLikesFollows(t *testing.T, ctx context.Context, st *Store) {
	user, id, author := uuid.NewString(), uuid.NewString(), uuid.NewString()
	now := time.Now().UTC()
	for i, want := range []bool{true, false} {
		if changed := must(st.setLike(ctx, user, id, true, now))(t); changed != want {
			t.Fatalf("like %d: changed=%v", i, changed)
		}
	}
	if c := must(st.mediaStats(ctx, id))(t); c.Likes != 1 {
		t.Fatalf("likes = %d", c.Likes)
	}
	if !must(st.liked(ctx, user, id))(t) {
		t.Fatal("not liked")
	}
	must(st.setLike(ctx, user, id, false, now))(t)
	if c := must(st.mediaStats(ctx, id))(t); c.Likes != 0 {
		t.Fatalf("likes after unlike = %d", c.Likes)
	}
	f := Follow{UserID: user, TargetType: domain.TargetAuthor, TargetID: author, CreatedAt: now}
	if !must(st.addFollow(ctx, f))(t) || must(st.addFollow(ctx, f))(t) {
		t.Fatal("follow is not idempotent")
	}
	if list := must(st.follows(ctx, user, "", nil, 10))(t); len(list) != 1 || list[0].TargetID != author {
		t.Fatalf("follows = %v", list)
	}
	if !must(st.removeFollow(ctx, f))(t) || must(st.removeFollow(ctx, f))(t) {
		t.Fatal("unfollow is not idempotent")
	}
}

func contractEraseUser(t *testing.T, ctx context.Context, st *Store) {
	user, other, id := uuid.NewString(), uuid.NewString(), uuid.NewString()
	publish(t, ctx, st, id, domain.MediaPublished, 1)
	now := time.Now().UTC().Truncate(time.Second)
	for _, u := range []string{user, other} {
		must(st.setLike(ctx, u, id, true, now))(t)
		must(st.addFollow(ctx, Follow{UserID: u, TargetType: domain.TargetTag, TargetID: "jazz", CreatedAt: now}))(t)
		must2(st.putProgress(ctx, progressAt(u, id, 30, now)))(t)
	}
	if err := st.eraseUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	if must(st.liked(ctx, user, id))(t) || len(must(st.follows(ctx, user, "", nil, 10))(t)) != 0 ||
		len(must(st.progressList(ctx, user, false, nil, 10))(t)) != 0 {
		t.Fatal("the erased user's rows are left")
	}
	if !must(st.liked(ctx, other, id))(t) || len(must(st.follows(ctx, other, "", nil, 10))(t)) != 1 {
		t.Fatal("another user's rows went too")
	}
	if c := must(st.mediaStats(ctx, id))(t); c.Likes != 2 {
		t.Fatalf("counts moved: %+v", c)
	}
}
