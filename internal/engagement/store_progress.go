package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

type progressRow struct {
	bun.BaseModel `bun:"table:progress"`
	UserID        string    `bun:"user_id,pk"`
	MediaID       string    `bun:"media_id,pk"`
	Seconds       *float64  `bun:"seconds"`
	Page          *int      `bun:"page"`
	Pages         *int      `bun:"pages"`
	CFI           string    `bun:"cfi"`
	Percent       float64   `bun:"percent"`
	Finished      bool      `bun:"finished"`
	Device        string    `bun:"device"`
	ClientTime    time.Time `bun:"client_time"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func progressRowOf(p domain.Progress) progressRow {
	return progressRow{UserID: p.UserID, MediaID: p.MediaID, Seconds: p.Position.Seconds, Page: p.Position.Page,
		Pages: p.Position.Pages, CFI: p.Position.CFI, Percent: p.Percent, Finished: p.Finished, Device: p.Device,
		ClientTime: p.ClientTime, UpdatedAt: p.UpdatedAt}
}

func (r progressRow) domain() domain.Progress {
	return domain.Progress{UserID: r.UserID, MediaID: r.MediaID,
		Position: domain.Position{Seconds: r.Seconds, Page: r.Page, Pages: r.Pages, CFI: r.CFI, Percent: &r.Percent},
		Percent:  r.Percent, Finished: r.Finished, Device: r.Device, ClientTime: r.ClientTime.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// putProgress stores p unless the stored progress supersedes it (a later
// client_time). It returns what is stored afterwards, whether p was
// applied, and whether the item became finished for the first time.
func (s *Store) putProgress(ctx context.Context, p domain.Progress) (domain.Progress, bool, error) {
	row := progressRowOf(p)
	res, err := s.idb.NewInsert().Model(&row).On("CONFLICT (user_id, media_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return p, false, fmt.Errorf("progress: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return p, true, s.progressChanged(ctx, p, false)
	}
	var old progressRow
	q := s.idb.NewSelect().Model(&old).Where("user_id = ? AND media_id = ?", p.UserID, p.MediaID)
	if s.forUpdate() != "" {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return p, false, fmt.Errorf("progress: %w", err)
	}
	if !p.Supersedes(old.domain()) {
		return old.domain(), false, nil
	}
	if _, err := s.idb.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
		return p, false, fmt.Errorf("progress: %w", err)
	}
	return p, true, s.progressChanged(ctx, p, old.Finished)
}

// progressChanged counts a first finish and records the event.
func (s *Store) progressChanged(ctx context.Context, p domain.Progress, wasFinished bool) error {
	if p.Finished && !wasFinished {
		if err := s.addMediaStats(ctx, p.MediaID, mediaCounts{Completions: 1}); err != nil {
			return err
		}
	}
	return s.record(ctx, EventProgressUpdated, "progress/"+p.UserID, p.UserID, progressPayload(p))
}

// progressPosition is where a page of progress ends.
type progressPosition struct {
	ClientTime time.Time `json:"t"`
	MediaID    string    `json:"m"`
}

// progressList pages through a user's finished or unfinished items, most
// recent first. Items no longer visible (unpublished, removed) are left out
// but their rows kept: the position is back if the item is republished.
func (s *Store) progressList(ctx context.Context, userID string, finished bool, after *progressPosition, size int) ([]domain.Progress, error) {
	var rows []progressRow
	q := s.idb.NewSelect().Model(&rows).Where("user_id = ? AND finished = ?", userID, finished).
		Where("EXISTS (SELECT 1 FROM media m WHERE m.id = ?TableAlias.media_id AND m.status = ?)", domain.MediaPublished).
		OrderExpr("client_time DESC, media_id DESC").Limit(int64(size))
	if after != nil {
		q = q.Where("(client_time < ? OR (client_time = ? AND media_id < ?))", after.ClientTime, after.ClientTime, after.MediaID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	out := make([]domain.Progress, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
