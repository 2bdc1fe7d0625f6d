package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// TestChaosBlobStoreDiskFull puts the local blob store on a 512 KiB tmpfs
// and fills it: a one-request upload and a tus upload are answered 507
// problem+json, nothing half-written stays in the store (no object, no
// temporary file, no tus chunk) and the item does not point at a file.
// Once space is freed the same process takes the upload. It needs root to
// mount the tmpfs and skips otherwise.
func TestChaosBlobStoreDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: skipped with -short")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dataDir := filepath.Join(t.TempDir(), "data")
	blobs := filepath.Join(dataDir, "blobs")
	must(t, os.MkdirAll(blobs, 0o750))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", blobs).CombinedOutput(); err != nil {
		if requireServers() && os.Geteuid() == 0 {
			t.Fatalf("mount a tmpfs: %v %s", err, out)
		}
		t.Skipf("cannot mount a small tmpfs for the blob store (needs root): %v %s", err, out)
	}
	// Registered before start: cleanups run last-first, so the process
	// stops before its blob store goes away.
	t.Cleanup(func() { _ = exec.Command("umount", "-l", blobs).Run() })
	p := start(t, []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_FORMAT=json",
	})
	anon := client.New(p.URL, nil)
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)
	bearer := "Bearer " + adminToken(ctx, t, anon)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Chaos: disk full"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Written to a full disk", Kind: "book", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)

	// Fill the file system to the last byte.
	filler := filepath.Join(blobs, "zz-chaos-filler")
	f, err := os.Create(filler)
	must(t, err)
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the tmpfs: %v", err)
			}
			break
		}
	}
	must(t, f.Close())
	before := blobFiles(t, blobs, filler)

	pdf := testfiles.PDF("Written to a full disk", "chaos", 1)
	put := tusRequest(t, http.MethodPut, p.URL+"/v1/media/"+m.ID+"/content", map[string]string{
		"Authorization": bearer, "Content-Type": "application/pdf"}, pdf)
	checkProblem507(t, "PUT content on a full disk", put)

	create := tusRequest(t, http.MethodPost, p.URL+"/v1/uploads", map[string]string{
		"Authorization": bearer, "Upload-Length": strconv.Itoa(len(pdf)),
		"Upload-Metadata": "media_id " + b64(m.ID) + ",filename " + b64("full.pdf")}, nil)
	tusAnswer := create.StatusCode
	if create.StatusCode == http.StatusCreated {
		// The info fitted (an inode, no data block): the bytes cannot.
		loc := create.Header.Get("Location")
		if strings.HasPrefix(loc, "/") {
			loc = p.URL + loc
		}
		patch := tusRequest(t, http.MethodPatch, loc, map[string]string{"Authorization": bearer, "Upload-Offset": "0",
			"Content-Type": "application/offset+octet-stream"}, pdf)
		tusAnswer = patch.StatusCode
		checkProblem507(t, "tus PATCH on a full disk", patch)
	} else {
		checkProblem507(t, "tus POST on a full disk", create)
	}

	// Nothing half-written: the store holds what it held before, and the
	// item has no file.
	after := blobFiles(t, blobs, filler)
	if len(after) > len(before) {
		t.Errorf("files left in the blob store after the refused uploads: %v (before: %v)", after, before)
	}
	if got := getJSON(t, p.URL+"/v1/media/"+m.ID, bearer); got["content"] != nil {
		t.Errorf("item points at content after a refused upload: %v", got["content"])
	}

	// Space freed: the same process takes the upload.
	must(t, os.Remove(filler))
	again := tusRequest(t, http.MethodPut, p.URL+"/v1/media/"+m.ID+"/content", map[string]string{
		"Authorization": bearer, "Content-Type": "application/pdf"}, pdf)
	if again.StatusCode != http.StatusCreated {
		t.Fatalf("upload after space was freed: %d %s", again.StatusCode, readAll(again))
	}
	t.Logf("blob store full: PUT %d, tus %d; files left behind %d; upload after freeing space %d",
		put.StatusCode, tusAnswer, len(after)-len(before), again.StatusCode)
}

// checkProblem507 fails unless resp is a 507 problem document.
func checkProblem507(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	body := readAll(resp)
	var p struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
	}
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
		json.Unmarshal([]byte(body), &p) != nil || p.Status != http.StatusInsufficientStorage {
		t.Errorf("%s: %d %q %s, want a 507 problem", what, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// blobFiles lists the regular files under dir except skip, with sizes.
func blobFiles(t *testing.T, dir, skip string) []string {
	t.Helper()
	var out []string
	must(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == skip {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rel+" ("+strconv.FormatInt(info.Size(), 10)+" B)")
		return nil
	}))
	return out
}
