package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// TestObjectStoreUnreachable runs storage on an S3 endpoint nothing listens
// on (the object store is down): every upload route answers 503
// problem+json with Retry-After — tusd used to answer 500 for the errors
// of its data store — a tus creation keeps no reservation behind, and
// Ready reports the object store. (test/e2e's TestChaosObjectStoreDown
// kills a real MinIO mid-upload.)
func TestObjectStoreUnreachable(t *testing.T) {
	// Credentials from the environment, so the SDK asks no metadata
	// service; not parallel (t.Setenv).
	t.Setenv("AWS_ACCESS_KEY_ID", "unreachable")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "unreachable-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	port, err := testkit.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, moduletest.Store{Name: "sqlite"},
		fmt.Sprintf("s3://down?endpoint=http://127.0.0.1:%d&use_path_style=true&region=us-east-1", port), nil)
	uid, authz := e.user()
	media := e.catalog.newMedia(KindDocument, "draft", uid)
	pdf := testfiles.PDF("Down", "the object store is down", 1)

	check := func(what string, resp *http.Response) {
		t.Helper()
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var p struct {
			Status int `json:"status"`
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			(what != "HEAD" && (!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
				json.Unmarshal(body, &p) != nil || p.Status != http.StatusServiceUnavailable)) {
			t.Errorf("%s with the object store down: %d %q Retry-After %q: %s, want a 503 problem with Retry-After",
				what, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), body)
		}
	}
	check("POST", e.tusCreate(authz, media, len(pdf)))
	if pending, err := e.svc.store.AllPending(context.Background()); err != nil || len(pending) != 0 {
		t.Errorf("a tus creation refused for the object store left reservations: %v, %v", pending, err)
	}
	check("PUT", e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", authz, bytes.NewReader(pdf),
		map[string]string{"Content-Type": "application/pdf"}))

	// An upload reserved before the store went away.
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: uid})
	p, err := e.svc.reserve(ctx, media, authz, "down.pdf", int64(len(pdf)), sourceTus, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	loc := "/v1/uploads/" + p.ID
	check("HEAD", e.do(nil, http.MethodHead, loc, authz, nil, map[string]string{"Tus-Resumable": "1.0.0"}))
	check("PATCH", e.tusPatch(nil, authz, loc, 0, pdf, false))
	check("PATCH with a checksum", e.tusPatch(nil, authz, loc, 0, pdf, true))

	if err := e.svc.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "object store") {
		t.Errorf("Ready with the object store down: %v", err)
	}
}
