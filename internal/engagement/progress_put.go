package engagement

import (
	"context"
	"errors"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// progressBody is a reported position, over HTTP and MQTT alike.
type progressBody struct {
	Seconds    *float64  `json:"seconds,omitempty" doc:"Audio and video: position in seconds"`
	Page       *int      `json:"page,omitempty" doc:"Books and documents: the page you are on (with pages)"`
	Pages      *int      `json:"pages,omitempty" doc:"Books and documents: pages in all"`
	CFI        string    `json:"cfi,omitempty" maxLength:"1000" doc:"EPUB: position as a CFI (with percent)"`
	Percent    *float64  `json:"percent,omitempty" doc:"0 to 100; required with cfi"`
	Device     string    `json:"device" maxLength:"100" doc:"The reporting device's name"`
	ClientTime time.Time `json:"client_time" doc:"The device's clock when the position was reached; the latest wins"`
}

func (b progressBody) position() domain.Position {
	return domain.Position{Seconds: b.Seconds, Page: b.Page, Pages: b.Pages, CFI: b.CFI, Percent: b.Percent}
}

type progressPutInput struct {
	MediaID string `path:"media_id" doc:"Media ID"`
	Body    progressBody
}

type progressPutOutput struct {
	Body struct {
		progressJSON
		Applied bool `json:"applied" doc:"false when a report with a later client_time was already stored (it is returned instead)"`
	}
}

// progressPut saves the caller's position; a position beyond the item's
// length is a 400 naming the field.
func (s *Service) progressPut(ctx context.Context, in *progressPutInput) (*progressPutOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	stored, applied, err := s.putProgress(ctx, p.UserID, in.MediaID, in.Body.position(), in.Body.Device, in.Body.ClientTime)
	if err != nil {
		return nil, badRequest(err)
	}
	out := &progressPutOutput{}
	out.Body.progressJSON, out.Body.Applied = progressView(stored), applied
	return out, nil
}

// badRequest turns a field validation error into a 400 with its fields.
func badRequest(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid {
		return err
	}
	details := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		details[i] = &huma.ErrorDetail{Location: f.Name, Message: f.Message}
	}
	return huma.Error400BadRequest(e.Message, details...)
}
