package catalog

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := DefaultConfig()
	bad.MaxTagsPerMedia, bad.MaxMembersPerAuthor = 0, -1
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "catalog.max_tags_per_media:") ||
		!strings.Contains(err.Error(), "catalog.max_members_per_author:") {
		t.Fatalf("Validate = %v, want both limits named", err)
	}
}

func TestHTTPDirectory(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		gotAuth string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotAuth = r.Header.Get("Authorization")
		mu.Unlock()
		switch strings.TrimPrefix(r.URL.Path, "/v1/users/") {
		case "known":
			w.WriteHeader(http.StatusOK)
		case "unknown":
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	dir := NewHTTPDirectory(srv.URL+"/", srv.Client())
	ctx := context.WithValue(context.Background(), bearerKey{}, "Bearer abc")
	tests := []struct {
		name   string
		id     string
		exists bool
		kind   errs.Kind
	}{
		{"ok_means_exists", "known", true, -1},
		{"404_means_absent", "unknown", false, -1},
		{"anything_else_is_unavailable", "broken", false, errs.Unavailable},
	}
	for _, tt := range tests {
		exists, err := dir.Exists(ctx, tt.id)
		if exists != tt.exists || (err == nil) != (tt.kind == -1) || (err != nil && errs.KindOf(err) != tt.kind) {
			t.Errorf("%s: Exists = %v, %v", tt.name, exists, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if gotAuth != "Bearer abc" {
		t.Errorf("caller's token not forwarded: %q", gotAuth)
	}
	if _, err := NewHTTPDirectory("", nil).Exists(ctx, "x"); errs.KindOf(err) != errs.Unavailable {
		t.Errorf("unconfigured directory: %v", err)
	}
}

func TestExpectedVersion(t *testing.T) {
	t.Parallel()
	// -1 stands for "refused at once with 412" (it used to match nothing later).
	for in, want := range map[string]int64{"": 0, "*": 0, `"3"`: 3, `W/"7"`: 7, "garbage": -1, `"0"`: -1} {
		got, err := IfMatchHeader{IfMatch: in}.version()
		if err != nil {
			if errs.KindOf(err) != errs.PreconditionFailed {
				t.Errorf("version(%q): %v, want PreconditionFailed", in, err)
			}
			got = -1
		}
		if got != want {
			t.Errorf("version(%q) = %d, want %d", in, got, want)
		}
	}
}
