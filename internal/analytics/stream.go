package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// The external stream: engagement events are also put on an AWS Kinesis
// stream for consumers outside the platform. A consumer stages each event
// in its transaction; the forwarder puts staged events in batches
// (PutRecords) and deletes those Kinesis accepted. Delivery is at least
// once: consumers deduplicate by the CloudEvents id in each record.

// streamConfig is a parsed kinesis://stream?endpoint=…&region=… URL.
type streamConfig struct {
	Stream   string
	Endpoint string
	Region   string
}

func parseStreamURL(raw string) (streamConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "kinesis" || u.Host == "" {
		return streamConfig{}, fmt.Errorf("analytics.stream_url: want kinesis://stream-name[?endpoint=…&region=…] (got %q)", raw)
	}
	q := u.Query()
	c := streamConfig{Stream: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region")}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Endpoint != "" {
		if e, err := url.Parse(c.Endpoint); err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return streamConfig{}, fmt.Errorf("analytics.stream_url: endpoint must be an http(s) URL (got %q)", c.Endpoint)
		}
	}
	return c, nil
}

// streamRecord is what each Kinesis record holds: the event as a
// structured CloudEvent (JSON).
type streamRecord struct {
	SpecVersion string          `json:"specversion"`
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Source      string          `json:"source"`
	Subject     string          `json:"subject"`
	Time        time.Time       `json:"time"`
	Data        json.RawMessage `json:"data"`
}

func streamBody(e bus.Event) ([]byte, error) {
	data := e.Data
	if len(data) == 0 || !json.Valid(data) {
		data = json.RawMessage("null")
	}
	return json.Marshal(streamRecord{SpecVersion: "1.0", ID: e.ID, Type: e.Type, Source: e.Source, Subject: e.Subject,
		Time: e.Time.UTC(), Data: data})
}

type kinesisPutter interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

type forwarder struct {
	stream string
	client kinesisPutter
}

func newForwarder(ctx context.Context, raw string) (*forwarder, error) {
	c, err := parseStreamURL(raw)
	if err != nil {
		return nil, err
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(c.Region)}
	if c.Endpoint != "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("analytics: aws config: %w", err)
	}
	client := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	return &forwarder{stream: c.Stream, client: client}, nil
}

// forwardStream puts staged events on the stream until none are left;
// it returns how many Kinesis accepted.
func (s *Service) forwardStream(ctx context.Context) (int, error) {
	sent := 0
	for {
		rows, err := s.store.streamPending(ctx, 500) // PutRecords' limit
		if err != nil || len(rows) == 0 {
			return sent, err
		}
		in := &kinesis.PutRecordsInput{StreamName: aws.String(s.stream.stream)}
		for _, r := range rows {
			key := r.Key
			if key == "" {
				key = r.EventID
			}
			in.Records = append(in.Records, types.PutRecordsRequestEntry{Data: []byte(r.Body), PartitionKey: aws.String(key)})
		}
		out, err := s.stream.client.PutRecords(ctx, in)
		if err != nil {
			return sent, fmt.Errorf("kinesis put: %w", err)
		}
		var ok []int64
		for i, res := range out.Records {
			if i < len(rows) && res.ErrorCode == nil {
				ok = append(ok, rows[i].Seq)
			}
		}
		if err := s.store.streamSent(ctx, ok); err != nil {
			return sent, err
		}
		sent += len(ok)
		s.metrics.streamed.Add(float64(len(ok)))
		if len(ok) < len(rows) {
			return sent, errors.New("kinesis: some records were throttled or failed; they are retried")
		}
	}
}

// runStream forwards staged events every interval.
func (s *Service) runStream(interval time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
			if _, err := s.forwardStream(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "analytics: stream forwarding failed, will retry", slog.Any("error", err))
			}
		}
	}
}

// isEngagement reports whether an event goes on the external stream.
func isEngagement(typ string) bool { return strings.HasPrefix(typ, "engagement.") }
