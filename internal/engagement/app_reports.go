package engagement

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// owners calls the services that own reported things, with the caller's
// own bearer token: catalog for media and authors, identity for users.
type owners struct {
	catalogURL, identityURL string
	client                  *http.Client
}

// call sends one request; a 2xx is success, 404 means the target is gone,
// 401/403 are the caller's, anything else is an outage.
func (o owners) call(ctx context.Context, method, url, bearer string, body any) (int, error) {
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", bearer)
	resp, err := o.client.Do(req)
	if err != nil {
		return 0, errs.Wrap(errs.Unavailable, err, "the owning service is unreachable")
	}
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return resp.StatusCode, nil
	case resp.StatusCode == http.StatusNotFound:
		return resp.StatusCode, errs.NotFoundf("the reported %s no longer exists", strings.Split(url, "/")[4])
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return resp.StatusCode, errs.Forbiddenf("the owning service refused the action (%d)", resp.StatusCode)
	case resp.StatusCode == http.StatusConflict:
		return resp.StatusCode, errs.Conflictf("the owning service refused the action (conflict)")
	}
	return resp.StatusCode, errs.New(errs.Unavailable, "the owning service answered %d", resp.StatusCode)
}

// reportInput is a new report.
type reportInput struct {
	TargetType, TargetID, Reason, Note string
}

// createReport records a report of something that exists and is visible.
// Users are looked up at identity with the reporter's token.
func (s *Service) createReport(ctx context.Context, p auth.Principal, bearer string, in reportInput) (Report, error) {
	if !domain.ValidID(in.TargetID) {
		return Report{}, errs.NotFoundf("no such %s", in.TargetType)
	}
	if in.TargetType == domain.ReportUser {
		if _, err := s.owners.call(ctx, http.MethodGet, s.owners.identityURL+"/v1/users/"+in.TargetID, bearer, nil); err != nil {
			if errs.KindOf(err) == errs.NotFound {
				return Report{}, errs.NotFoundf("no such user")
			}
			return Report{}, err
		}
	}
	r := Report{ID: uuid.Must(uuid.NewV7()).String(), ReporterID: &p.UserID, TargetType: in.TargetType, TargetID: in.TargetID,
		Reason: in.Reason, Note: in.Note, State: domain.ReportOpen, CreatedAt: s.now()}
	return r, s.store.Tx(ctx, func(st *Store) error {
		switch in.TargetType {
		case domain.ReportMedia:
			if _, err := s.visibleMedia(ctx, st, in.TargetID); err != nil {
				return err
			}
		case domain.ReportAuthor:
			ok, err := st.targetVisible(ctx, domain.TargetAuthor, in.TargetID)
			if err != nil {
				return err
			}
			if !ok {
				return errs.NotFoundf("no such author")
			}
		}
		return st.insertReport(ctx, r)
	})
}

// resolveReport carries out a moderator's action through the owning
// service (with the moderator's token), then records the resolution.
func (s *Service) resolveReport(ctx context.Context, p auth.Principal, bearer, id, action, note string) (Report, error) {
	if !p.IsModerator() {
		return Report{}, errs.Forbiddenf("only moderators resolve reports")
	}
	if !domain.ValidID(id) {
		return Report{}, errs.NotFoundf("no such report")
	}
	r, ok, err := s.store.report(ctx, id, false)
	if err != nil {
		return Report{}, err
	}
	if !ok {
		return Report{}, errs.NotFoundf("no such report")
	}
	if r.State != domain.ReportOpen {
		return Report{}, errs.Conflictf("the report is already resolved (%s)", r.Action)
	}
	if err := domain.CheckAction(r.TargetType, action); err != nil {
		return Report{}, err
	}
	if err := s.carryOut(ctx, bearer, r, action); err != nil {
		return Report{}, err
	}
	err = s.store.Tx(ctx, func(st *Store) error {
		cur, _, err := st.report(ctx, id, true)
		if err != nil {
			return err
		}
		if cur.State != domain.ReportOpen {
			return errs.Conflictf("the report was resolved meanwhile (%s)", cur.Action)
		}
		now := s.now()
		r = cur
		r.State, r.Action, r.ResolvedBy, r.Resolution, r.ResolvedAt = domain.ReportResolved, action, &p.UserID, note, &now
		return st.resolveReport(ctx, r)
	})
	return r, err
}

// carryOut asks the owner to remove or suspend; a target already gone
// counts as removed.
func (s *Service) carryOut(ctx context.Context, bearer string, r Report, action string) error {
	var err error
	switch {
	case action == domain.ActionRemove && r.TargetType == domain.ReportMedia:
		_, err = s.owners.call(ctx, http.MethodDelete, s.owners.catalogURL+"/v1/media/"+r.TargetID, bearer, nil)
	case action == domain.ActionRemove && r.TargetType == domain.ReportAuthor:
		_, err = s.owners.call(ctx, http.MethodDelete, s.owners.catalogURL+"/v1/authors/"+r.TargetID, bearer, nil)
	case action == domain.ActionSuspend:
		// Identity's moderator-allowed suspension: moderators may suspend
		// readers and authors (a staff account answers 403), admins anyone.
		_, err = s.owners.call(ctx, http.MethodPost, s.owners.identityURL+"/v1/users/"+r.TargetID+"/suspension", bearer,
			map[string]any{"reason": suspensionReason(r)})
	default:
		return nil
	}
	if err != nil && errs.KindOf(err) == errs.NotFound && action == domain.ActionRemove {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s %s %s: %w", action, r.TargetType, r.TargetID, err)
	}
	return nil
}

// suspensionReason is the reason identity logs with a suspension: the
// report it came from, within identity's 500 characters.
func suspensionReason(r Report) string {
	reason := "report " + r.ID + ": " + r.Reason
	if r.Note != "" {
		reason += " (" + r.Note + ")"
	}
	if len(reason) > 500 {
		reason = strings.ToValidUTF8(reason[:500], "")
	}
	return reason
}
