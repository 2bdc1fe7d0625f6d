package engagement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Report is a user's report of a media item, an author or a user.
type Report struct {
	bun.BaseModel `bun:"table:reports,alias:r"`
	ID            string     `bun:"id,pk"`
	ReporterID    *string    `bun:"reporter_id"`
	TargetType    string     `bun:"target_type"`
	TargetID      string     `bun:"target_id"`
	Reason        string     `bun:"reason"`
	Note          string     `bun:"note"`
	State         string     `bun:"state"`
	Action        string     `bun:"action"`
	ResolvedBy    *string    `bun:"resolved_by"`
	Resolution    string     `bun:"resolution"`
	CreatedAt     time.Time  `bun:"created_at"`
	ResolvedAt    *time.Time `bun:"resolved_at"`
}

func (s *Store) insertReport(ctx context.Context, r Report) error {
	if _, err := s.idb.NewInsert().Model(&r).Exec(ctx); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return s.record(ctx, EventReportCreated, "report/"+r.ID, r.ID, reportPayload(r))
}

func (s *Store) report(ctx context.Context, id string, lock bool) (Report, bool, error) {
	var r Report
	q := s.idb.NewSelect().Model(&r).Where("r.id = ?", id)
	if lock && s.forUpdate() != "" {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("report %s: %w", id, err)
	}
	return r, true, nil
}

func (s *Store) resolveReport(ctx context.Context, r Report) error {
	if _, err := s.idb.NewUpdate().Model(&r).Column("state", "action", "resolved_by", "resolution", "resolved_at").
		WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("report %s: %w", r.ID, err)
	}
	return s.record(ctx, EventReportResolved, "report/"+r.ID, r.ID, reportPayload(r))
}

// reportPosition is where a page of reports ends.
type reportPosition struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// reports pages through the reports in a state, oldest first.
func (s *Store) reports(ctx context.Context, state string, after *reportPosition, size int) ([]Report, error) {
	var out []Report
	q := s.idb.NewSelect().Model(&out).Where("r.state = ?", state).OrderExpr("r.created_at, r.id").Limit(int64(size))
	if after != nil {
		q = q.Where("(r.created_at > ? OR (r.created_at = ? AND r.id > ?))", after.CreatedAt, after.CreatedAt, after.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return out, nil
}

// forgetReporter keeps a deleted user's reports for the moderators but
// drops who made them.
func (s *Store) forgetReporter(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, "UPDATE reports SET reporter_id = NULL WHERE reporter_id = ?", userID)
	return err
}
