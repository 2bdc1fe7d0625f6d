package analytics

import "time"

// The HTTP types of analytics' API, built from app values.

type trendingItemJSON struct {
	MediaID string  `json:"media_id" doc:"The media item"`
	Kind    string  `json:"kind" enum:"book,document,podcast,video" doc:"What it is"`
	Phi     float64 `json:"phi" doc:"Φ = ω + υ, the trending score"`
	Omega   float64 `json:"omega" doc:"ω: growth of y against the previous window, (y − y_prev) / y_prev; 1 when y_prev is 0"`
	Upsilon float64 `json:"upsilon" doc:"υ: y against the window's top visible item, y / max y (0..1)"`
	Y       float64 `json:"y" doc:"Weighted engagement in the window (views, likes, completions, new followers of its authors)"`
	YPrev   float64 `json:"y_prev" doc:"y in the previous window"`
}

type rankingJSON struct {
	Window      string             `json:"window" enum:"hour,day,week" doc:"The window"`
	WindowStart time.Time          `json:"window_start" doc:"Start of the current window (UTC; weeks start on Monday)"`
	Items       []trendingItemJSON `json:"items" doc:"Ranked items"`
}

func rankingView(window string, start int64, items []TrendingItem) rankingJSON {
	out := rankingJSON{Window: window, WindowStart: time.Unix(start, 0).UTC(), Items: make([]trendingItemJSON, len(items))}
	for i, it := range items {
		out.Items[i] = trendingItemJSON{MediaID: it.MediaID, Kind: it.Kind, Phi: it.Phi, Omega: it.Omega, Upsilon: it.Upsilon,
			Y: it.Y, YPrev: it.YPrev}
	}
	return out
}

type pointJSON struct {
	Start         time.Time `json:"start" doc:"Start of the bucket (UTC)"`
	Views         int64     `json:"views" doc:"Counted views"`
	UniqueViewers int64     `json:"unique_viewers" doc:"Viewers seen on the item for the first time in the bucket"`
	Likes         int64     `json:"likes" doc:"Likes given minus likes taken back"`
	Completions   int64     `json:"completions" doc:"Users who finished an item for the first time"`
	NewFollowers  *int64    `json:"new_followers,omitempty" doc:"New followers of the author (totals only)"`
}

type itemSeriesJSON struct {
	MediaID string      `json:"media_id" doc:"The author's item"`
	Points  []pointJSON `json:"points" doc:"One per bucket"`
}

type timeseriesJSON struct {
	AuthorID string           `json:"author_id" doc:"The author"`
	Interval string           `json:"interval" enum:"hour,day" doc:"Bucket size"`
	Total    []pointJSON      `json:"total" doc:"All the author's items and its new followers, one per bucket"`
	Items    []itemSeriesJSON `json:"items" doc:"Per item, in media ID order"`
}

func pointsView(pts []Point, followers bool) []pointJSON {
	out := make([]pointJSON, len(pts))
	for i, p := range pts {
		out[i] = pointJSON{Start: p.Start, Views: p.Views, UniqueViewers: p.UniqueViewers, Likes: p.Likes, Completions: p.Completions}
		if followers {
			n := p.NewFollowers
			out[i].NewFollowers = &n
		}
	}
	return out
}

func timeseriesView(authorID, interval string, ts Timeseries, ids []string) timeseriesJSON {
	out := timeseriesJSON{AuthorID: authorID, Interval: interval, Total: pointsView(ts.Total, true), Items: []itemSeriesJSON{}}
	for _, id := range ids {
		out.Items = append(out.Items, itemSeriesJSON{MediaID: id, Points: pointsView(ts.Items[id], false)})
	}
	return out
}

type relatedItemJSON struct {
	MediaID string  `json:"media_id" doc:"A related item"`
	Kind    string  `json:"kind" enum:"book,document,podcast,video" doc:"What it is"`
	Score   float64 `json:"score" doc:"Strength of the co-engagement (higher is closer)"`
}

type relatedJSON struct {
	Items []relatedItemJSON `json:"items" doc:"Related items, best first"`
}
