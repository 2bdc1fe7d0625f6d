// Package gcppubsubbus is the Google Cloud Pub/Sub transport of package bus (gcppubsub://).
// It is linked into a binary only when Register is called.
package gcppubsubbus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-googlecloud/v2/pkg/googlecloud"
	"github.com/ThreeDotsLabs/watermill/message"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("gcppubsub", open) }

// open connects to Google Cloud Pub/Sub in the project named by
// the URL's host. Credentials come from the environment (Application
// Default Credentials); ?emulator=host:port, or PUBSUB_EMULATOR_HOST, talks
// to an emulator without credentials. Topics are created on first publish
// or subscribe; each (topic, group) is a subscription "<topic>__<group>",
// created on subscribe, whose subscribers share its messages. A group sees
// only messages published after its subscription exists. A nack, or a
// subscriber closing before it acks, makes the message available again at
// once; a subscriber that dies silently loses its lease after
// ?ack_deadline= (default 30s, 10-600s).
func open(_ context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	project := u.Host
	if project == "" {
		return nil, errors.New("bus.url: gcppubsub:// needs the project ID as host, e.g. gcppubsub://my-project")
	}
	q := u.Query()
	ackDeadline, err := bus.DurationParam(q, "ack_deadline", 30*time.Second)
	if err != nil {
		return nil, err
	}
	if ackDeadline < 10*time.Second || ackDeadline > 600*time.Second {
		return nil, errors.New("bus.url: ack_deadline must be between 10s and 600s")
	}
	ackSeconds := int32(ackDeadline / time.Second) //nolint:gosec // bounded to 10..600 above
	var opts []option.ClientOption
	if emu := q.Get("emulator"); emu != "" {
		opts = append(opts,
			option.WithEndpoint(emu),
			option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
			option.WithTelemetryDisabled(),
		)
	}
	logger := watermill.NewSlogLogger(o.Logger)
	pub, err := googlecloud.NewPublisher(googlecloud.PublisherConfig{
		ProjectID:      project,
		ClientOptions:  opts,
		ConnectTimeout: 10 * time.Second,
		PublishTimeout: 10 * time.Second,
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("bus: google pub/sub publisher: %w", err)
	}
	return bus.NewTransport(bus.Parts{
		Name:      "gcppubsub",
		Publisher: pub,
		NewSubscriber: func(group string) (message.Subscriber, error) {
			sub, err := googlecloud.NewSubscriber(googlecloud.SubscriberConfig{
				ProjectID:                project,
				ClientOptions:            opts,
				GenerateSubscriptionName: googlecloud.TopicSubscriptionNameWithSuffix("__" + group),
				GenerateSubscription: func(googlecloud.GenerateSubscriptionParams) *pubsubpb.Subscription {
					return &pubsubpb.Subscription{
						AckDeadlineSeconds: ackSeconds,
						RetryPolicy: &pubsubpb.RetryPolicy{
							MinimumBackoff: durationpb.New(100 * time.Millisecond),
							MaximumBackoff: durationpb.New(10 * time.Second),
						},
					}
				},
				ReceiveSettings: pubsub.ReceiveSettings{
					NumGoroutines:          1,
					MaxOutstandingMessages: 100,
				},
			}, logger)
			if err != nil {
				return nil, fmt.Errorf("bus: google pub/sub subscriber: %w", err)
			}
			return sub, nil
		},
	}), nil
}
