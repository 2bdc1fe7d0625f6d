package processing

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// putOnce counts PutFile calls per name and fails the first store of one
// name with a transient error, as an object store going away mid-job.
type putOnce struct {
	objectStore
	failName string
	mu       sync.Mutex
	puts     map[string]int
	failed   bool
}

func (p *putOnce) PutFile(ctx context.Context, key, path, contentType string) error {
	p.mu.Lock()
	name := filepath.Base(key)
	p.puts[name]++
	fail := !p.failed && name == p.failName
	p.failed = p.failed || fail
	p.mu.Unlock()
	if fail {
		return errors.New("connection reset by peer")
	}
	return p.objectStore.PutFile(ctx, key, path, contentType)
}

func (p *putOnce) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.puts[name]
}

// An attempt interrupted after the 240p rung was stored, during the 480p
// one, resumes: the next attempt keeps 240p as stored (not transcoded or
// stored again) and makes 480p; the result lists both, with the kept
// rung's segments and sizes, and the HLS checks pass on what is stored.
func TestInterruptedTranscodeKeepsFinishedRenditions(t *testing.T) {
	t.Parallel()
	requireTools(t)
	video := synth(t, nil, "in.mp4",
		"-f", "lavfi", "-i", "testsrc2=duration=3:size=640x480:rate=25", "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k")
	cfg := testConfig()
	cfg.HLSSegmentSeconds, cfg.StoryboardInterval, cfg.HLSLadder = 1, 0, "240,480"
	var wrap *putOnce
	x := start(t, moduletest.Stores(t)[0], cfg, func(o objectStore) objectStore {
		wrap = &putOnce{objectStore: o, puts: map[string]int{}}
		return wrap
	})
	up := x.upload(video, "video/mp4", "video")
	u := decode[UploadCompleted](t, up)
	tag := "hls-" + u.SHA256[:8]
	wrap.mu.Lock()
	wrap.failName = tag + "-480p-00001.m4s"
	wrap.mu.Unlock()
	x.publish(up)
	x.expect(t, up, want{derivatives: []string{"rendition", "rendition_segment", "thumbnail"},
		check: func(t *testing.T, x *harness, p processedV1) {
			dir := t.TempDir()
			for _, d := range p.Derivatives {
				if d.Size <= 0 {
					t.Errorf("%s has size %d", d.ObjectKey, d.Size)
				}
				b, err := x.bucket.ReadAll(context.Background(), d.ObjectKey)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(b)) != d.Size {
					t.Errorf("%s: %d bytes stored, %d reported", d.ObjectKey, len(b), d.Size)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(d.ObjectKey)), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			checkHLS(t, dir, 2)
			rs := p.Content.Renditions
			if len(rs) != 2 || rs[0].Height != 240 || rs[1].Height != 480 || rs[0].Bandwidth <= 0 {
				t.Errorf("renditions %+v", rs)
			}
		}})
	if j := x.job(up); j.Attempts != 2 {
		t.Errorf("%d attempts, want 2 (one interrupted)", j.Attempts)
	}
	if got := testutil.ToFloat64(x.svc.m.resumed); got != 1 {
		t.Errorf("%v renditions resumed, want 1 (240p)", got)
	}
	// 240p was stored once, by the first attempt; 480p's first segment
	// twice (the failed put, then the second attempt's).
	for name, n := range map[string]int{tag + "-240p.m3u8": 1, tag + "-240p-00000.m4s": 1, tag + "-240p-init.mp4": 1,
		tag + "-480p-00001.m4s": 2, tag + "-480p.m3u8": 1, hlsMaster: 1} {
		if got := wrap.count(name); got != n {
			t.Errorf("%s stored %d times, want %d", name, got, n)
		}
	}
	if got := testutil.ToFloat64(x.svc.m.transcoded.WithLabelValues("240")); got < 2.9 || got > 3.1 {
		t.Errorf("240p transcoded for %v s of media, want 3 (once)", got)
	}
}
