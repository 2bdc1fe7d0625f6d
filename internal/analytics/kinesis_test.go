package analytics

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/peers"
)

const kinesaliteVersion = "3.3.3"

// kinesaliteServer is the npm kinesalite, bound to loopback (its CLI
// listens on every interface, so a small script starts it), installed
// once into the peers cache outside the repository.
const kinesaliteScript = `const k = require(process.argv[2] + '/node_modules/kinesalite');
const s = k({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));`

func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
		t.Fatalf("kinesalite required but unavailable: "+format, args...)
	}
	t.Skipf("kinesalite unavailable: "+format, args...)
}

func startKinesalite(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(t, "no node: %v", err)
	}
	base, err := peers.Dir()
	if err != nil {
		unavailable(t, "%v", err)
	}
	dir := filepath.Join(base, "npm", "kinesalite-"+kinesaliteVersion)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "kinesalite", "package.json")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			unavailable(t, "%v", err)
		}
		_ = os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"kinesalite-peer","private":true}`), 0o600)
		install := exec.Command("npm", "install", "--no-audit", "--no-fund", "kinesalite@"+kinesaliteVersion)
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			unavailable(t, "npm install: %v: %s", err, out)
		}
	}
	script := filepath.Join(t.TempDir(), "kinesalite.js")
	if err := os.WriteFile(script, []byte(kinesaliteScript), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		unavailable(t, "start: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				line <- p
				return
			}
		}
		close(line)
	}()
	select {
	case port, ok := <-line:
		if !ok {
			t.Fatal("kinesalite exited before listening")
		}
		return "http://127.0.0.1:" + port
	case <-time.After(30 * time.Second):
		t.Fatal("kinesalite did not start")
	}
	return ""
}

func TestEngagementEventsOnKinesis(t *testing.T) {
	endpoint := startKinesalite(t)
	stream := "analytics-test"
	ctx := context.Background()
	fw, err := newForwarder(ctx, "kinesis://"+stream+"?endpoint="+endpoint)
	if err != nil {
		t.Fatal(err)
	}
	client := fw.client.(*kinesis.Client)
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the stream active", func() bool {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive
	})

	c := startAnalytics(t, moduletest.Stores(t)[0], time.Now(), func(cfg *Config) {
		cfg.StreamURL = "kinesis://" + stream + "?endpoint=" + endpoint
		cfg.StreamInterval = 20 * time.Millisecond
	})
	media := uuid.NewString()
	want := map[string]string{}
	for i := range 30 {
		typ := eventLikeCreated
		if i%2 == 0 {
			typ = eventViewRecorded
		}
		id := c.publish("engagement", typ, "media/"+media, media, time.Now(), map[string]any{"media_id": media, "user_id": uuid.NewString(), "views": 1})
		want[id] = typ
	}
	// Catalog events stay off the stream.
	c.publish("catalog", "catalog.category.created.v1", "category/x", "x", time.Now(), map[string]any{"id": uuid.NewString()})
	c.waitHandled(31)

	shards, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: shards.Shards[0].ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	iter := it.ShardIterator
	eventually(t, "30 records on the stream", func() bool {
		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		iter = out.NextShardIterator
		for _, r := range out.Records {
			var rec streamRecord
			if err := json.Unmarshal(r.Data, &rec); err != nil {
				t.Fatal(err)
			}
			if want[rec.ID] != rec.Type || aws.ToString(r.PartitionKey) != media || !strings.Contains(string(rec.Data), media) {
				t.Fatalf("unexpected record %s: %s", aws.ToString(r.PartitionKey), r.Data)
			}
			got[rec.ID]++
		}
		return len(got) == len(want)
	})
	for id, n := range got {
		if n != 1 {
			t.Fatalf("event %s put %d times", id, n)
		}
	}
	var left []int
	if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM analytics_stream_pending").Scan(ctx, &left); err != nil || left[0] != 0 {
		t.Fatalf("still staged: %v %v", left, err)
	}
}

func TestStreamURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"kinesis://s?endpoint=http://127.0.0.1:4567&region=eu-west-1": true,
		"kinesis://s":                  true,
		"kinesis://":                   false,
		"sqs://s":                      false,
		"kinesis://s?endpoint=ftp://x": false,
	} {
		_, err := parseStreamURL(raw)
		if (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
	}
	cfg := DefaultConfig()
	cfg.StreamURL = "kinesis://"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "stream_url") {
		t.Errorf("Validate: %v", err)
	}
}
