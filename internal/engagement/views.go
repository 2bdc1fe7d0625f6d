package engagement

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

// The HTTP types of engagement's API, built from domain values.

type followJSON struct {
	Type      string    `json:"type" enum:"author,category,tag" doc:"What is followed"`
	ID        string    `json:"id" doc:"Author or category ID, or the tag"`
	CreatedAt time.Time `json:"created_at" doc:"When you followed it"`
}

func followView(f Follow) followJSON {
	return followJSON{Type: f.TargetType, ID: f.TargetID, CreatedAt: f.CreatedAt.UTC()}
}

type mediaStatsJSON struct {
	Views         int64 `json:"views" doc:"Counted views, plays and reads (each viewer once per hour)"`
	UniqueViewers int64 `json:"unique_viewers" doc:"Distinct viewers, estimated (HyperLogLog, 1.6 % standard error at scale; anonymous viewers are told apart per day only)"`
	Likes         int64 `json:"likes" doc:"Likes"`
	Completions   int64 `json:"completions" doc:"Users who reached 95 %"`
	LikedByMe     bool  `json:"liked_by_me" doc:"Whether the caller likes it (false when anonymous)"`
}

type authorStatsJSON struct {
	Followers int64 `json:"followers" doc:"Users following the author"`
	Views     int64 `json:"views" doc:"Views of the author's items"`
	Likes     int64 `json:"likes" doc:"Likes of the author's items"`
}

type progressJSON struct {
	MediaID    string    `json:"media_id" doc:"The media item"`
	Seconds    *float64  `json:"seconds,omitempty" doc:"Audio and video: position in seconds"`
	Page       *int      `json:"page,omitempty" doc:"Books and documents: page"`
	Pages      *int      `json:"pages,omitempty" doc:"Books and documents: pages in all"`
	CFI        string    `json:"cfi,omitempty" doc:"EPUB: position as a CFI"`
	Percent    float64   `json:"percent" doc:"How far through, 0 to 100"`
	State      string    `json:"state" enum:"in_progress,finished" doc:"finished from 95 %"`
	Device     string    `json:"device" doc:"The device that reported the position"`
	ClientTime time.Time `json:"client_time" doc:"The device's clock at the report; the latest wins"`
	UpdatedAt  time.Time `json:"updated_at" doc:"When the server stored it"`
}

func progressView(p domain.Progress) progressJSON {
	return progressJSON{MediaID: p.MediaID, Seconds: p.Position.Seconds, Page: p.Position.Page, Pages: p.Position.Pages,
		CFI: p.Position.CFI, Percent: p.Percent, State: progressState(p.Finished), Device: p.Device,
		ClientTime: p.ClientTime, UpdatedAt: p.UpdatedAt}
}

type feedItemJSON struct {
	MediaID     string    `json:"media_id" doc:"The media item"`
	Kind        string    `json:"kind" enum:"book,document,podcast,video" doc:"What it is"`
	Title       string    `json:"title" doc:"Title"`
	AuthorIDs   []string  `json:"author_ids" doc:"Authors, as catalog credits them"`
	PublishedAt time.Time `json:"published_at" doc:"When it was published"`
}

func feedView(it FeedItem) feedItemJSON {
	out := feedItemJSON{MediaID: it.Media.ID, Kind: it.Media.Kind, Title: it.Media.Title, AuthorIDs: it.AuthorIDs}
	if out.AuthorIDs == nil {
		out.AuthorIDs = []string{}
	}
	if it.Media.PublishedAt != nil {
		out.PublishedAt = it.Media.PublishedAt.UTC()
	}
	return out
}

type collectionJSON struct {
	ID          string    `json:"id" doc:"Collection ID"`
	OwnerID     string    `json:"owner_id" doc:"The user it belongs to"`
	Kind        string    `json:"kind" enum:"saved,custom" doc:"saved: every user's one saved list (GET /v1/collections/saved)"`
	Name        string    `json:"name" doc:"Name"`
	Description string    `json:"description" doc:"Description"`
	Visibility  string    `json:"visibility" enum:"private,public" doc:"public collections are visible to everyone"`
	ItemCount   int       `json:"item_count" doc:"Items in it"`
	CreatedAt   time.Time `json:"created_at" doc:"Creation time"`
	UpdatedAt   time.Time `json:"updated_at" doc:"Last change (of it or its items)"`
}

func collectionView(c Collection) collectionJSON {
	return collectionJSON{ID: c.ID, OwnerID: c.OwnerID, Kind: c.Kind, Name: c.Name, Description: c.Description,
		Visibility: c.Visibility, ItemCount: c.ItemCount, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

type collectionItemJSON struct {
	MediaID  string    `json:"media_id" doc:"The media item"`
	Position int64     `json:"position" doc:"Order in the collection (1 first)"`
	AddedAt  time.Time `json:"added_at" doc:"When it was added"`
}

type reportJSON struct {
	ID         string     `json:"id" doc:"Report ID"`
	ReporterID string     `json:"reporter_id,omitempty" doc:"Who reported (absent once their account is deleted)"`
	TargetType string     `json:"target_type" enum:"media,author,user" doc:"What is reported"`
	TargetID   string     `json:"target_id" doc:"Its ID"`
	Reason     string     `json:"reason" doc:"Why"`
	Note       string     `json:"note" doc:"The reporter's words"`
	State      string     `json:"state" enum:"open,resolved" doc:"open until a moderator resolves it"`
	Action     string     `json:"action,omitempty" enum:"dismiss,remove,suspend" doc:"What the moderator did"`
	ResolvedBy string     `json:"resolved_by,omitempty" doc:"The moderator"`
	Resolution string     `json:"resolution,omitempty" doc:"The moderator's note"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it was reported"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty" doc:"When it was resolved"`
}

func reportView(r Report) reportJSON {
	p := reportPayload(r)
	return reportJSON{ID: p.ID, ReporterID: p.ReporterID, TargetType: p.TargetType, TargetID: p.TargetID, Reason: p.Reason,
		Note: p.Note, State: p.State, Action: p.Action, ResolvedBy: p.ResolvedBy, Resolution: p.Resolution,
		CreatedAt: p.CreatedAt.UTC(), ResolvedAt: p.ResolvedAt}
}
