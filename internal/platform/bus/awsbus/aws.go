// Package awsbus is the Amazon SQS and SNS transport of package bus (awssqs:// and awssns://).
// It is linked into a binary only when Register is called.
package awsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsns "github.com/ThreeDotsLabs/watermill-aws/sns"
	wmsqs "github.com/ThreeDotsLabs/watermill-aws/sqs"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("aws", open) }

// awsMetadataAttribute carries a message's whole metadata as one JSON
// message attribute: SQS and SNS allow only 10 attributes per message, fewer
// than an event's envelope needs.
const awsMetadataAttribute = "alexandria_metadata"

// open connects to Amazon SQS (awssqs://) or SNS with SQS (awssns://).
//
// Either way each (topic, group) is an SQS queue "<topic>__<group>",
// created on subscribe, whose consumers share its messages; a nack or a
// consumer that goes away leaves the message in the queue, visible again
// after ?visibility= (default 30s). With awssns:// each topic is an SNS
// topic (created on first use) and each group's queue is subscribed to it
// with raw delivery. With awssqs:// there is no SNS: the publisher lists
// the topic's group queues (ListQueues by prefix) on every publish and
// sends each message to each of them.
//
// The endpoint is ?endpoint=, else http://host:port when the URL has a
// host other than "aws", else AWS's own. ?region= defaults to us-east-1.
// ?queue_policy=false skips setting the queue access policy that allows
// the SNS topic to send to a group's queue (emulators that refuse it).
// Credentials come from the environment; a custom endpoint without
// AWS_ACCESS_KEY_ID uses dummy static credentials (emulators).
func open(ctx context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	q := u.Query()
	region := q.Get("region")
	if region == "" {
		region = "us-east-1"
	}
	endpoint := q.Get("endpoint")
	if endpoint == "" && u.Host != "" && u.Host != "aws" {
		endpoint = "http://" + u.Host
	}
	visibility, err := bus.DurationParam(q, "visibility", 30*time.Second)
	if err != nil {
		return nil, err
	}
	// goaws rejects SetQueueAttributes(Policy); real AWS needs the policy
	// that lets the SNS topic send to the group's queue.
	setPolicy := q.Get("queue_policy") != "false"
	loadOpts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
	if endpoint != "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		loadOpts = append(loadOpts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("bus: aws config: %w", err)
	}
	var sqsOpts []func(*sqs.Options)
	var snsOpts []func(*sns.Options)
	if endpoint != "" {
		sqsOpts = append(sqsOpts, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
		snsOpts = append(snsOpts, func(o *sns.Options) { o.BaseEndpoint = aws.String(endpoint) })
	}
	sqsClient := sqs.NewFromConfig(cfg, sqsOpts...)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := sqsClient.ListQueues(pingCtx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1)}); err != nil {
		return nil, fmt.Errorf("bus: sqs: %w", err)
	}

	logger := watermill.NewSlogLogger(o.Logger)
	queues := &sqsQueues{client: sqsClient, attributes: map[string]string{
		"VisibilityTimeout": strconv.Itoa(int(visibility / time.Second)),
	}}
	sqsSubscriberConfig := wmsqs.SubscriberConfig{
		AWSConfig:           cfg,
		OptFns:              sqsOpts,
		QueueUrlResolver:    queues,
		ReconnectRetrySleep: time.Second,
		GenerateReceiveMessageInput: func(_ context.Context, queueURL wmsqs.QueueURL) (*sqs.ReceiveMessageInput, error) {
			return &sqs.ReceiveMessageInput{
				QueueUrl:              aws.String(string(queueURL)),
				MessageAttributeNames: []string{"All"},
				WaitTimeSeconds:       2,
				MaxNumberOfMessages:   1,
			}, nil
		},
		Unmarshaler: awsPackedMarshaler{},
	}
	sqsPub, err := wmsqs.NewPublisher(wmsqs.PublisherConfig{
		AWSConfig:        cfg,
		OptFns:           sqsOpts,
		QueueUrlResolver: queues,
		Marshaler:        awsPackedMarshaler{},
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("bus: sqs publisher: %w", err)
	}

	if u.Scheme == "awssqs" {
		return bus.NewTransport(bus.Parts{
			Name:      "awssqs",
			Publisher: &sqsFanout{queues: queues, pub: sqsPub},
			NewSubscriber: func(group string) (message.Subscriber, error) {
				return &sqsGroupSubscriber{cfg: sqsSubscriberConfig, group: group, logger: logger}, nil
			},
		}), nil
	}

	topics := &snsTopics{client: sns.NewFromConfig(cfg, snsOpts...)}
	snsPub, err := wmsns.NewPublisher(wmsns.PublisherConfig{
		AWSConfig:     cfg,
		OptFns:        snsOpts,
		TopicResolver: topics,
		Marshaler:     snsMarshaler{},
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("bus: sns publisher: %w", err)
	}
	return bus.NewTransport(bus.Parts{
		Name:      "awssns",
		Publisher: snsPub,
		NewSubscriber: func(group string) (message.Subscriber, error) {
			return wmsns.NewSubscriber(wmsns.SubscriberConfig{
				AWSConfig:                 cfg,
				OptFns:                    snsOpts,
				TopicResolver:             topics,
				DoNotSetQueueAccessPolicy: !setPolicy,
				GenerateSqsQueueName: func(_ context.Context, arn wmsns.TopicArn) (string, error) {
					name, err := wmsns.ExtractTopicNameFromTopicArn(arn)
					return string(name) + "__" + group, err
				},
			}, sqsSubscriberConfig, logger)
		},
	}), nil
}

// sqsQueues creates queues on first use and remembers their URLs; it is
// the QueueUrlResolver of every SQS publisher and subscriber here.
// CreateQueue is idempotent for equal attributes.
type sqsQueues struct {
	client     *sqs.Client
	attributes map[string]string

	mu   sync.Mutex
	urls map[string]wmsqs.QueueURL
}

// ResolveQueueUrl implements wmsqs.QueueUrlResolver (whose name it must keep).
func (s *sqsQueues) ResolveQueueUrl(ctx context.Context, p wmsqs.ResolveQueueUrlParams) (wmsqs.QueueUrlResolverResult, error) { //nolint:revive // the interface fixes the name
	u, err := s.ensure(ctx, p.Topic)
	exists := err == nil
	return wmsqs.QueueUrlResolverResult{QueueName: wmsqs.QueueName(p.Topic), QueueURL: &u, Exists: &exists}, err
}

func (s *sqsQueues) ensure(ctx context.Context, name string) (wmsqs.QueueURL, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.urls[name]; ok {
		return u, nil
	}
	out, err := s.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: s.attributes})
	if err != nil {
		return "", fmt.Errorf("bus: sqs create queue %s: %w", name, err)
	}
	if s.urls == nil {
		s.urls = map[string]wmsqs.QueueURL{}
	}
	u := wmsqs.QueueURL(aws.ToString(out.QueueUrl))
	s.urls[name] = u
	return u, nil
}

// groupQueues lists the queues of topic's consumer groups.
func (s *sqsQueues) groupQueues(ctx context.Context, topic string) ([]string, error) {
	prefix := topic + "__"
	var names []string
	p := sqs.NewListQueuesPaginator(s.client, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("bus: sqs list queues: %w", err)
		}
		for _, u := range page.QueueUrls {
			name := u[strings.LastIndex(u, "/")+1:]
			// The prefix filter is advisory on some emulators: check it.
			if group, ok := strings.CutPrefix(name, prefix); ok && bus.CheckName("group", group) == nil {
				names = append(names, name)
			}
		}
	}
	return names, nil
}

// sqsFanout publishes each message to every group queue of the topic. A
// topic with no group yet drops its messages, as SNS does without
// subscriptions.
type sqsFanout struct {
	queues *sqsQueues
	pub    *wmsqs.Publisher
}

func (f *sqsFanout) Publish(topic string, msgs ...*message.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	names, err := f.queues.groupQueues(ctx, topic)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := f.pub.Publish(name, msgs...); err != nil {
			return err
		}
	}
	return nil
}

func (f *sqsFanout) Close() error { return f.pub.Close() }

// sqsGroupSubscriber consumes the group's queue of a topic.
type sqsGroupSubscriber struct {
	cfg    wmsqs.SubscriberConfig
	group  string
	logger watermill.LoggerAdapter

	mu   sync.Mutex
	subs []*wmsqs.Subscriber
}

func (s *sqsGroupSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	sub, err := wmsqs.NewSubscriber(s.cfg, s.logger)
	if err != nil {
		return nil, fmt.Errorf("bus: sqs subscriber: %w", err)
	}
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	return sub.Subscribe(ctx, topic+"__"+s.group)
}

func (s *sqsGroupSubscriber) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, sub := range s.subs {
		errs = append(errs, sub.Close())
	}
	return errors.Join(errs...)
}

// snsTopics creates SNS topics on first use (CreateTopic is idempotent) and
// remembers their ARNs.
type snsTopics struct {
	client *sns.Client

	mu   sync.Mutex
	arns map[string]wmsns.TopicArn
}

func (t *snsTopics) ResolveTopic(ctx context.Context, topic string) (wmsns.TopicArn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if arn, ok := t.arns[topic]; ok {
		return arn, nil
	}
	out, err := t.client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(topic)})
	if err != nil {
		return "", fmt.Errorf("bus: sns create topic %s: %w", topic, err)
	}
	if t.arns == nil {
		t.arns = map[string]wmsns.TopicArn{}
	}
	arn := wmsns.TopicArn(aws.ToString(out.TopicArn))
	t.arns[topic] = arn
	return arn, nil
}

// awsPackedMarshaler puts the message UUID and the JSON-encoded metadata in
// two message attributes, for SQS and SNS alike.
type awsPackedMarshaler struct{}

func (awsPackedMarshaler) Marshal(msg *message.Message) (*sqstypes.Message, error) {
	md, err := json.Marshal(msg.Metadata)
	if err != nil {
		return nil, fmt.Errorf("bus: encode metadata: %w", err)
	}
	return &sqstypes.Message{
		Body: aws.String(string(msg.Payload)),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			wmsqs.UUIDAttribute:  {DataType: aws.String("String"), StringValue: aws.String(msg.UUID)},
			awsMetadataAttribute: {DataType: aws.String("String"), StringValue: aws.String(string(md))},
		},
	}, nil
}

func (m awsPackedMarshaler) marshalSNS(topicArn wmsns.TopicArn, msg *message.Message) *sns.PublishInput {
	md, _ := json.Marshal(msg.Metadata) // a map[string]string always encodes
	return &sns.PublishInput{
		TopicArn: aws.String(string(topicArn)),
		Message:  aws.String(string(msg.Payload)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			wmsqs.UUIDAttribute:  {DataType: aws.String("String"), StringValue: aws.String(msg.UUID)},
			awsMetadataAttribute: {DataType: aws.String("String"), StringValue: aws.String(string(md))},
		},
	}
}

func (awsPackedMarshaler) Unmarshal(m *sqstypes.Message) (*message.Message, error) {
	id := aws.ToString(m.MessageId)
	if v, ok := m.MessageAttributes[wmsqs.UUIDAttribute]; ok {
		id = aws.ToString(v.StringValue)
	}
	msg := message.NewMessage(id, []byte(aws.ToString(m.Body)))
	if v, ok := m.MessageAttributes[awsMetadataAttribute]; ok {
		if err := json.Unmarshal([]byte(aws.ToString(v.StringValue)), &msg.Metadata); err != nil {
			return nil, fmt.Errorf("bus: decode metadata of SQS message %s: %w", id, err)
		}
	}
	return msg, nil
}

// snsMarshaler adapts awsPackedMarshaler to watermill-aws's SNS Marshaler.
type snsMarshaler struct{ awsPackedMarshaler }

func (m snsMarshaler) Marshal(topicArn wmsns.TopicArn, msg *message.Message) *sns.PublishInput {
	return m.marshalSNS(topicArn, msg)
}
