package httpx

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// ProblemOf maps an error the way ProblemFor does, from a context alone
// (for hooks that answer through a library writing the response itself).
func TestProblemOfMapsLikeProblemFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
	}{
		{"not_found_is_404", errs.NotFoundf("no upload"), http.StatusNotFound},
		{"invalid_field_is_422", errs.InvalidField("header.Upload-Offset", "must be a number"), http.StatusUnprocessableEntity},
		{"unclassified_is_500", errors.New("boom"), http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ProblemOf(context.Background(), tc.err)
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			want := ProblemFor(r, tc.err)
			if got.Status != tc.status || got.Status != want.Status || got.Type != want.Type || got.Detail != want.Detail ||
				len(got.Errors) != len(want.Errors) {
				t.Fatalf("ProblemOf = %+v, ProblemFor = %+v, want status %d", got, want, tc.status)
			}
		})
	}
}
