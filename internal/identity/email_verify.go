package identity

import (
	"context"
	"errors"
	"net/http"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

type emailVerifyInput struct {
	Body *struct {
		Token string `json:"token,omitempty" maxLength:"200" doc:"Token from the verification link; omit to have the link mailed again"`
	} `required:"false"`
}

type statusOutput struct {
	Status int
}

func (s *Service) emailVerify(ctx context.Context, in *emailVerifyInput) (*statusOutput, error) {
	_, u, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.Body == nil || in.Body.Token == "" {
		if err := s.requestVerification(ctx, u); err != nil {
			return nil, err
		}
		return &statusOutput{Status: http.StatusAccepted}, nil
	}
	if _, err := s.verifyEmail(ctx, u, in.Body.Token); err != nil {
		return nil, tokenProblem(ctx, err)
	}
	return &statusOutput{Status: http.StatusNoContent}, nil
}

// tokenProblem turns a tokenError into its problem document, naming the
// token field: 410 for a token that was good once, else 400. Other errors
// pass through.
func tokenProblem(ctx context.Context, err error) error {
	var te *tokenError
	if !errors.As(err, &te) {
		return err
	}
	status, kind := http.StatusBadRequest, "bad-request"
	if te.Gone {
		status, kind = http.StatusGone, "gone"
	}
	return &httpx.Problem{Type: httpx.ProblemTypeBase + kind, Title: http.StatusText(status), Status: status,
		Detail: "the link's token " + te.Reason, RequestID: telemetry.RequestID(ctx),
		Errors: []httpx.ProblemField{{Field: "token", Location: "body.token", Message: te.Reason}}}
}
