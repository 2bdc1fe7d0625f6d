package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/processing/hlscheck"
)

// TestVideoHLSSurvivesSIGKILL uploads a short 720p video, kills the
// server with SIGKILL while ffmpeg is transcoding its second rendition
// (and the orphaned ffmpeg, as a container kill would), restarts it, and
// checks that the new attempt kept the finished rendition and the item
// still settles with its renditions: a master playlist the strict
// checker and ffprobe accept, played through a signed link (the relative
// URIs resolve under it), and every segment decoding.
func TestVideoHLSSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("HLS pipeline: skipped with -short")
	}
	t.Parallel()
	requireMediaTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	video := makeVideo(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	env := []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_LEVEL=warn",
		"ALEXANDRIA_PROCESSING_LEASE=3s", "ALEXANDRIA_PROCESSING_WORKERS=1", "ALEXANDRIA_PROCESSING_HLS_SEGMENT_SECONDS=2",
		"ALEXANDRIA_PROCESSING_HLS_LADDER=240,480,720"}
	p := start(t, env)
	admin := signIn(ctx, t, client.New(p.URL, nil), adminEmail, adminPassword)
	tok, err := client.New(p.URL, nil).Login(ctx, adminEmail, adminPassword)
	must(t, err)
	bearer := "Bearer " + tok.AccessToken
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Filmmaker"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "A short film", Kind: "video", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	uploadTus(t, p.URL, bearer, m.ID, video)

	// Kill the server while its ffmpeg is transcoding the second rung
	// (480p): the first (240p) is stored by then.
	transcoder := waitForChild(t, p.cmd.Process.Pid, "-480p.m3u8", 90*time.Second)
	p.kill()
	_ = syscall.Kill(-transcoder, syscall.SIGKILL) // its process group: what a container kill takes along
	killedAt := time.Now()
	t.Logf("killed the server during transcoding (ffmpeg pid %d)", transcoder)
	p = start(t, env)
	base := p.URL

	var item map[string]any
	deadline := time.Now().Add(150 * time.Second)
	for {
		item = getJSON(t, base+"/v1/media/"+m.ID, bearer)
		if item["status"] == "draft" || item["status"] == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if item["status"] != "draft" {
		t.Fatalf("after the crash the item is %v (%v)", item["status"], item["status_reason"])
	}
	st, _ := item["streaming"].(map[string]any)
	rs, _ := st["renditions"].([]any)
	if st["hls_url"] != "/v1/media/"+m.ID+"/derivatives/hls.m3u8" || len(rs) != 3 {
		t.Fatalf("streaming %v", item["streaming"])
	}
	// The restarted server resumed: the 240p rung the killed one finished
	// was kept as stored (in the local object store, <data dir>/blobs),
	// not transcoded again; 480p and 720p were made after the restart.
	for rung, before := range map[string]bool{"240p": true, "480p": false, "720p": false} {
		files, _ := filepath.Glob(filepath.Join(dataDir, "blobs", "derivatives", m.ID, "*", "hls-*-"+rung+"*.m*"))
		if len(files) < 3 {
			t.Fatalf("%s: %d objects in the store", rung, len(files))
		}
		for _, f := range files {
			fi, err := os.Stat(f)
			must(t, err)
			if fi.ModTime().Before(killedAt) != before {
				t.Errorf("%s stored at %s, the server was killed at %s: the %s rung was %s", filepath.Base(f),
					fi.ModTime().Format(time.StampMilli), killedAt.Format(time.StampMilli), rung,
					map[bool]string{true: "redone, not resumed", false: "not redone"}[before])
			}
		}
	}

	// The master and media playlists, strictly; every segment decodes.
	dir := t.TempDir()
	fetch := func(u, name string) []byte {
		resp := tusRequest(t, http.MethodGet, u, map[string]string{"Authorization": bearer}, nil)
		body := []byte(readAll(resp))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
		}
		must(t, os.WriteFile(filepath.Join(dir, name), body, 0o600))
		return body
	}
	derivs := base + "/v1/media/" + m.ID + "/derivatives/"
	variants, err := hlscheck.Master(fetch(derivs+"hls.m3u8", "hls.m3u8"))
	if err != nil || len(variants) != 3 || variants[2].Height != 720 || variants[2].Width != 1280 {
		t.Fatalf("master playlist: %v %+v", err, variants)
	}
	counts := map[int]bool{}
	for _, v := range variants {
		mp, err := hlscheck.Media(fetch(derivs+v.URI, v.URI))
		if err != nil {
			t.Fatalf("%s: %v", v.URI, err)
		}
		counts[len(mp.Segments)] = true
		init := fetch(derivs+mp.Init, mp.Init)
		for _, seg := range mp.Segments {
			joined := filepath.Join(dir, "joined-"+seg+".mp4")
			must(t, os.WriteFile(joined, append(append([]byte{}, init...), fetch(derivs+seg, seg)...), 0o600))
			if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", joined, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("%s does not decode: %v %s", seg, err, out)
			}
		}
	}
	if len(counts) != 1 {
		t.Errorf("the renditions have different segment counts %v: not aligned", counts)
	}

	// A signed link: ffprobe, an HLS client without a token, reads the
	// ladder through it, resolving every relative URI under the link.
	linkResp := doAuth(t, http.MethodPost, base+"/v1/media/"+m.ID+"/content/links", "application/json", `{"expires_in_seconds":600}`, bearer)
	if linkResp.status != http.StatusCreated {
		t.Fatalf("link: %d %s", linkResp.status, linkResp.body)
	}
	var link struct {
		DerivativesURL string `json:"derivatives_url"`
	}
	must(t, json.Unmarshal([]byte(linkResp.body), &link))
	if _, err := url.Parse(link.DerivativesURL); err != nil || !strings.HasSuffix(link.DerivativesURL, "/") {
		t.Fatalf("derivatives_url %q", link.DerivativesURL)
	}
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height",
		"-of", "csv=p=0", link.DerivativesURL+"hls.m3u8").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "h264,1280,720") || !strings.Contains(string(out), "aac") {
		t.Fatalf("ffprobe through the signed link: %v\n%s", err, out)
	}
	out, err = exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", link.DerivativesURL+"hls.m3u8",
		"-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-").CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg playing through the signed link: %v\n%s", err, out)
	}
	// Anonymous, without the link, the draft's ladder is not served.
	if resp := tusRequest(t, http.MethodGet, derivs+"hls.m3u8", nil, nil); resp.StatusCode == http.StatusOK {
		t.Fatal("a draft's playlist is served without a token or link")
	}
	// The storyboard and its cues are there too.
	kinds := map[string]bool{}
	for _, x := range item["derivatives"].([]any) {
		kinds[x.(map[string]any)["kind"].(string)] = true
	}
	if !kinds["storyboard"] || !kinds["thumbnail"] || !kinds["rendition"] || kinds["rendition_segment"] {
		t.Errorf("derivatives %v", item["derivatives"])
	}
}

// makeVideo is 8 s of 1280×720 at 25 fps with a tone: three rungs.
func makeVideo(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-threads", "1",
		"-f", "lavfi", "-i", "testsrc2=duration=8:size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:duration=8",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-y", "in.mp4")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "in.mp4"))
	must(t, err)
	return b
}

// uploadTus uploads b for media in one tus request.
func uploadTus(t *testing.T, base, bearer, mediaID string, b []byte) {
	t.Helper()
	create := tusRequest(t, http.MethodPost, base+"/v1/uploads", map[string]string{
		"Authorization": bearer, "Upload-Length": strconv.Itoa(len(b)), "Upload-Metadata": "media_id " + b64(mediaID) + ",filename " + b64("film.mp4"),
	}, nil)
	if create.StatusCode != http.StatusCreated {
		t.Fatalf("tus create: %d %s", create.StatusCode, readAll(create))
	}
	loc := create.Header.Get("Location")
	if strings.HasPrefix(loc, "/") {
		loc = base + loc
	}
	patch := tusRequest(t, http.MethodPatch, loc, map[string]string{"Authorization": bearer, "Upload-Offset": "0",
		"Content-Type": "application/offset+octet-stream"}, b)
	if patch.StatusCode != http.StatusNoContent {
		t.Fatalf("tus patch: %d %s", patch.StatusCode, readAll(patch))
	}
}

// waitForChild polls /proc for a descendant of pid whose command line
// contains marker and returns its PID.
func waitForChild(t *testing.T, pid int, marker string, within time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			child, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if err != nil || !bytes.Contains(cmdline, []byte(marker)) || !descends(child, pid) {
				continue
			}
			return child
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q process under %d within %s", marker, pid, within)
	return 0
}

// descends reports whether child is pid or one of its descendants.
func descends(child, pid int) bool {
	for range 10 {
		if child == pid {
			return true
		}
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(child), "stat"))
		if err != nil {
			return false
		}
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 {
			return false
		}
		if child, err = strconv.Atoi(fields[1]); err != nil || child <= 1 {
			return false
		}
	}
	return false
}
