package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// mediaFile uploads a published document of about size bytes through the
// one-request upload and waits until processing has published it. It
// returns the content URL, the bytes, and the upload's duration.
func mediaFile(b *testing.B, p *platform, size int) (string, []byte, time.Duration) {
	b.Helper()
	ctx := context.Background()
	body := testfiles.PaddedPDF("Benchmark", "benchmark text", size)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, p.url+"/v1/media/"+p.mediaID+"/content", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/pdf")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != http.StatusCreated {
		b.Fatalf("upload: %d %s", resp.StatusCode, msg)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r, err := http.Get(p.url + "/v1/media/" + p.mediaID)
		if err != nil {
			b.Fatal(err)
		}
		var m struct {
			Status  string          `json:"status"`
			Content json.RawMessage `json:"content"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		r.Body.Close()
		if m.Status == "published" && len(m.Content) > 0 {
			return p.url + "/v1/media/" + p.mediaID + "/content", body, took
		}
		if time.Now().After(deadline) {
			b.Fatalf("item is %q two minutes after the upload", m.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startNginx serves dir's files on a free port; it skips the benchmark when
// nginx is absent.
func startNginx(b *testing.B, dir string) string {
	b.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		b.Skip("nginx not installed (Debian package nginx)")
	}
	run := b.TempDir()
	port := freePort(b)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes 1; daemon off; pid %[2]s/nginx.pid; error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path %[2]s/b; proxy_temp_path %[2]s/p; fastcgi_temp_path %[2]s/f; uwsgi_temp_path %[2]s/u; scgi_temp_path %[2]s/s;
  server { listen 127.0.0.1:%[3]d; root %[4]s; }
}`, user, run, port, dir)
	if err := os.WriteFile(filepath.Join(run, "nginx.conf"), []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", filepath.Join(run, "nginx.conf"), "-p", run)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 100 {
		if r, err := http.Get(base + "/"); err == nil {
			r.Body.Close()
			return base
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatal("nginx did not start")
	return ""
}

func freePort(b *testing.B) int {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func fetch(b *testing.B, hc *http.Client, url, rng string) int64 {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || (resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent) {
		b.Fatalf("GET %s (%s): %d %v", url, rng, resp.StatusCode, err)
	}
	return n
}

// BenchmarkMediaTransfer measures, against nginx serving the same file from
// disk in the same run: whole-file download throughput, the rate of 1 MiB
// range requests at random offsets, and upload throughput against a raw
// write of the same bytes to disk.
func BenchmarkMediaTransfer(b *testing.B) {
	p := startPlatform(b, 1)
	p.useDocument(b)
	const size = 32 << 20
	contentURL, body, uploadTook := mediaFile(b, p, size-(1<<20))

	dir := b.TempDir()
	t0 := time.Now()
	if err := os.WriteFile(filepath.Join(dir, "file.pdf"), body, 0o600); err != nil {
		b.Fatal(err)
	}
	rawWrite := time.Since(t0)
	nginx := startNginx(b, dir) + "/file.pdf"
	hc := keepAliveClient()
	hc.Timeout = time.Minute

	var alexFull, nginxFull, alexRange, nginxRange time.Duration
	const rangesPerRound = 8
	b.ResetTimer()
	for b.Loop() {
		t1 := time.Now()
		fetch(b, hc, contentURL, "")
		t2 := time.Now()
		fetch(b, hc, nginx, "")
		t3 := time.Now()
		alexFull += t2.Sub(t1)
		nginxFull += t3.Sub(t2)
		for range rangesPerRound {
			off := rand.Int64N(int64(len(body) - (1 << 20)))
			rng := fmt.Sprintf("bytes=%d-%d", off, off+(1<<20)-1)
			t4 := time.Now()
			fetch(b, hc, contentURL, rng)
			t5 := time.Now()
			fetch(b, hc, nginx, rng)
			t6 := time.Now()
			alexRange += t5.Sub(t4)
			nginxRange += t6.Sub(t5)
		}
	}
	mb := float64(len(body)) / (1 << 20)
	n := float64(b.N)
	b.ReportMetric(mb*n/alexFull.Seconds(), "download_MiB/s")
	b.ReportMetric(mb*n/nginxFull.Seconds(), "nginx_download_MiB/s")
	b.ReportMetric(nginxFull.Seconds()/alexFull.Seconds(), "x_nginx_download")
	b.ReportMetric(n*rangesPerRound/alexRange.Seconds(), "ranges/s")
	b.ReportMetric(n*rangesPerRound/nginxRange.Seconds(), "nginx_ranges/s")
	b.ReportMetric(nginxRange.Seconds()/alexRange.Seconds(), "x_nginx_ranges")
	b.ReportMetric(mb/uploadTook.Seconds(), "upload_MiB/s")
	b.ReportMetric(mb/rawWrite.Seconds(), "raw_write_MiB/s")
	b.ReportMetric(rawWrite.Seconds()/uploadTook.Seconds(), "x_raw_write")
}
