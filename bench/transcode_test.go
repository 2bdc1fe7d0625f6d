package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/app"
	"github.com/alexandria-platform/alexandria/internal/config"
	"github.com/alexandria-platform/alexandria/internal/processing"
)

// BenchmarkTranscode720p measures the CPU cost of a 720p HLS rendition
// made by Alexandria against plain ffmpeg with the same settings
// (processing.TranscodeArgs), side by side in one run. Alexandria's side
// is everything from the upload request to the item settled with its
// ladder (upload and hashing, the job, probing, the thumbnail, the
// transcode, storing the segments, the events), measured as this
// process's CPU time plus its children's (the tools); the baseline is the
// bare ffmpeg run. It reports seconds of 720p output per CPU-second for
// each and their ratio, x_ffmpeg (1.0 = no overhead); and, with the
// platform's idle CPU rate (measured before) taken out of Alexandria's
// side, x_ffmpeg_without_idle: the overhead of the job itself.
func BenchmarkTranscode720p(b *testing.B) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		b.Skip("ffmpeg not installed")
	}
	const seconds, segment = 10.0, 4
	dir := b.TempDir()
	src := filepath.Join(dir, "original")
	gen := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-threads", "1",
		"-f", "lavfi", "-i", "testsrc2=duration=10:size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-f", "mp4", "-y", src)
	if out, err := gen.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v %s", err, out)
	}
	video, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	p := startTranscodingPlatform(b)
	// The platform's CPU while idle (event relays, pollers), per second:
	// reported apart, as it is not the transcode's.
	time.Sleep(time.Second)
	idleFrom, idleStart := cpuTime(), time.Now()
	time.Sleep(3 * time.Second)
	idleRate := float64(cpuTime()-idleFrom) / float64(time.Since(idleStart))

	var alexCPU, ffCPU, alexWall time.Duration
	b.ResetTimer()
	for range b.N {
		// Alexandria: upload → settled with its 720p rendition.
		before, began := cpuTime(), time.Now()
		p.uploadVideo(b, video)
		alexCPU += cpuTime() - before
		alexWall += time.Since(began)

		// Baseline: the same ffmpeg command line, bare.
		work := b.TempDir()
		if err := os.Link(src, filepath.Join(work, "original")); err != nil {
			b.Fatal(err)
		}
		before = cpuTime()
		cmd := exec.Command("ffmpeg", processing.TranscodeArgs(1280, 720, 720, 25, true, segment)...)
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("baseline ffmpeg: %v %s", err, out)
		}
		ffCPU += cpuTime() - before
	}
	b.StopTimer()
	n := float64(b.N)
	alex := seconds * n / alexCPU.Seconds()
	ff := seconds * n / ffCPU.Seconds()
	b.ReportMetric(alex, "alexandria_out_s/cpu_s")
	b.ReportMetric(ff, "ffmpeg_out_s/cpu_s")
	b.ReportMetric(alex/ff, "x_ffmpeg")
	job := seconds * n / (alexCPU.Seconds() - idleRate*alexWall.Seconds())
	b.ReportMetric(idleRate, "idle_cpu_s/s")
	b.ReportMetric(job/ff, "x_ffmpeg_without_idle")
}

// cpuTime is the user and system CPU time of this process and of its
// children that ended.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

type transcodingPlatform struct {
	url, token, authorID string
	admin                *client.Client
}

// startTranscodingPlatform runs the platform with one worker, a 720p-only
// ladder and no storyboard, so that the transcode is the job's work.
func startTranscodingPlatform(b *testing.B) *transcodingPlatform {
	b.Helper()
	c, err := config.Load(config.Sources{Set: []string{
		"http.addr=127.0.0.1:0", "http.ops_addr=127.0.0.1:0", "data_dir=" + filepath.Join(b.TempDir(), "data"),
		"log.level=error", "log.format=json", "identity.admin_password=" + benchAdminPassword,
		"processing.workers=1", "processing.hls_ladder=720", "processing.hls_segment_seconds=4",
		"processing.storyboard_interval=0s",
	}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- app.Run(ctx, c, "all", app.Options{Version: "bench", Stdout: io.Discard, Stderr: io.Discard,
			Started: func(u string) { started <- u }})
	}()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	var base string
	select {
	case base = <-started:
	case err := <-done:
		b.Fatal(err)
	case <-time.After(30 * time.Second):
		b.Fatal("platform did not start")
	}
	anon := client.New(base, nil)
	tok, err := anon.Login(ctx, c.Identity.AdminEmail, benchAdminPassword)
	if err != nil {
		b.Fatal(err)
	}
	admin := anon.WithToken(tok.AccessToken)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Bench Filmmaker"})
	if err != nil {
		b.Fatal(err)
	}
	return &transcodingPlatform{url: base, token: tok.AccessToken, authorID: author.ID, admin: admin}
}

// uploadVideo makes a video item, uploads video and waits for its ladder.
func (p *transcodingPlatform) uploadVideo(b *testing.B, video []byte) {
	b.Helper()
	ctx := context.Background()
	m, err := p.admin.CreateMedia(ctx, client.MediaInput{Title: "Bench video", Kind: "video", Language: "en",
		AuthorIDs: []string{p.authorID}})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, p.url+"/v1/media/"+m.ID+"/content", bytes.NewReader(video))
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "video/mp4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b.Fatalf("upload: %d %s", resp.StatusCode, msg)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/v1/media/"+m.ID, nil)
		req.Header.Set("Authorization", "Bearer "+p.token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var item struct {
			Status       string `json:"status"`
			StatusReason string `json:"status_reason"`
			Streaming    *struct {
				Renditions []struct {
					Height int `json:"height"`
				} `json:"renditions"`
			} `json:"streaming"`
		}
		_ = json.NewDecoder(r.Body).Decode(&item)
		r.Body.Close()
		switch {
		case item.Status == "draft" && item.Streaming != nil && len(item.Streaming.Renditions) == 1 && item.Streaming.Renditions[0].Height == 720:
			return
		case item.Status == "failed" || (item.Status == "draft" && item.Streaming != nil):
			b.Fatalf("item %s: %s (%+v)", item.Status, item.StatusReason, item.Streaming)
		case time.Now().After(deadline):
			b.Fatalf("item is %q three minutes after the upload", item.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
