package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/peers"
)

// installSESPeer installs aws-ses-v2-local once into dir (outside the
// repository) from testdata/ses-peer/package.json, with the machine's npm.
func installSESPeer(t *testing.T, dir string) {
	t.Helper()
	pkg, err := os.ReadFile(filepath.Join("testdata", "ses-peer", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), pkg, 0o644); err != nil {
		t.Fatal(err)
	}
	install := exec.Command("npm", "install", "--no-audit", "--no-fund")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Logf("npm install aws-ses-v2-local: %v: %s", err, out)
	}
}

// startSESPeer runs aws-ses-v2-local (npm) on a free loopback port. It is
// installed once into <peers dir>/aws-ses-v2-local from
// testdata/ses-peer/package.json (installSESPeer); without node and npm the
// test is skipped, or fails when TEST_REQUIRE_SERVERS=1.
func startSESPeer(t *testing.T) string {
	t.Helper()
	dir, err := peers.Dir()
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(dir, "aws-ses-v2-local", "node_modules", "aws-ses-v2-local", "dist", "cli.js")
	node, nerr := exec.LookPath("node")
	if _, err := os.Stat(cli); err != nil && nerr == nil {
		installSESPeer(t, filepath.Join(dir, "aws-ses-v2-local"))
	}
	if _, err := os.Stat(cli); err != nil || nerr != nil {
		msg := fmt.Sprintf("aws-ses-v2-local not installed: cp internal/notify/testdata/ses-peer/package.json %s/aws-ses-v2-local/ && npm install --prefix %s/aws-ses-v2-local", dir, dir)
		if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	up := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "server running") {
				close(up)
			}
		}
	}()
	select {
	case <-up:
	case <-time.After(20 * time.Second):
		t.Fatal("aws-ses-v2-local did not start")
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

func TestSESDelivery(t *testing.T) {
	endpoint := startSESPeer(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	forEachServer(t, func(c *Config) { c.SESRegion, c.SESEndpoint = "eu-west-1", endpoint }, func(t *testing.T, c *api) {
		author, member := uuid.NewString(), c.user()
		addr := "ses-" + member[:8] + "@example.test"
		c.publish("identity", eventUserRegistered, member, map[string]any{"id": member, "email": addr, "display_name": "S", "version": 1})
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		var got map[string]any
		eventually(t, "the mail in SES's store", func() bool {
			req, _ := http.NewRequestWithContext(context.Background(), "GET", endpoint+"/store", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			var store struct {
				Emails []map[string]any `json:"emails"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&store)
			for _, e := range store.Emails {
				if dest, _ := e["destination"].(map[string]any); dest != nil && strings.Contains(fmt.Sprint(dest["to"]), addr) {
					got = e
				}
			}
			return got != nil
		})
		body, _ := got["body"].(map[string]any)
		if got["subject"] != "You were added to an author" || !strings.Contains(fmt.Sprint(body["text"]), "/v1/notifications/unsubscribe?token=") ||
			!strings.Contains(fmt.Sprint(body["html"]), "Stop these e-mails") {
			t.Fatalf("SES mail %v", got)
		}
	})
}
