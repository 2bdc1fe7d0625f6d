package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

func TestErrorsBecomeProblems(t *testing.T) {
	t.Parallel()
	ctx := telemetry.WithRequestID(context.Background(), "req-1")
	cases := []struct {
		name   string
		err    error
		status int
		typ    string
		detail string
		field  string
	}{
		{"not_found_wrapped", fmt.Errorf("load: %w", errs.NotFoundf("media %s not found", "x")), 404, "not-found", "media x not found", ""},
		{"validation_names_field", errs.InvalidField("email", "is not an address"), 422, "invalid", "validation failed", "email"},
		{"query_field_location", errs.InvalidField("query.page_token", "bad"), 422, "invalid", "validation failed", "page_token"},
		{"conflict", errs.Conflictf("email taken"), 409, "conflict", "email taken", ""},
		{"forbidden", errs.Forbiddenf("no"), 403, "forbidden", "no", ""},
		{"throttled", &errs.Error{Kind: errs.TooManyRequests, Message: "slow down", RetryAfterSeconds: 7}, 429, "too-many-requests", "slow down", ""},
		{"plain_error_hidden", errors.New("pq: password authentication failed for user"), 500, "internal", "internal error", ""},
		{"huma_detail", &huma.ErrorDetail{Location: "body.title", Message: "expected length <= 300"}, 500, "internal", "unexpected error occurred", "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := toProblem(ctx, http.StatusInternalServerError, "unexpected error occurred", tc.err)
			if tc.name == "huma_detail" {
				// huma passes its own details with the status it chose.
				p = toProblem(ctx, http.StatusUnprocessableEntity, "validation failed", tc.err)
				tc.status, tc.typ, tc.detail = 422, "invalid", "validation failed"
			}
			if p.Status != tc.status || p.Type != ProblemTypeBase+tc.typ || p.Detail != tc.detail {
				t.Fatalf("got %d %s %q", p.Status, p.Type, p.Detail)
			}
			if p.RequestID != "req-1" {
				t.Errorf("request id %q", p.RequestID)
			}
			if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want field %s", p.Errors, tc.field)
			}
		})
	}
}

func TestPageTokensRejectForeignInput(t *testing.T) {
	t.Parallel()
	type pos struct {
		ID string `json:"id"`
	}
	var got pos
	if err := DecodePageToken(EncodePageToken(pos{ID: "abc"}), &got); err != nil || got.ID != "abc" {
		t.Fatalf("round trip: %v %+v", err, got)
	}
	for _, bad := range []string{"%%%", "bm90IGpzb24", string(make([]byte, 2000))} {
		if err := DecodePageToken(bad, &got); errs.KindOf(err) != errs.Invalid {
			t.Errorf("token %.20q: %v", bad, err)
		}
	}
}
