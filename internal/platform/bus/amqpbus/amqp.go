// Package amqpbus is the RabbitMQ (AMQP 0-9-1) transport of package bus (amqp:// and amqps://).
// It is linked into a binary only when Register is called.
package amqpbus

import (
	"context"
	"fmt"
	"net/url"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("amqp", open) }

// open connects to RabbitMQ (AMQP 0-9-1). Each topic is a durable topic
// exchange of the same name; each (topic, group) is a durable queue
// "<topic>__<group>" bound to it with "#", declared on subscribe. So every
// group gets every message published after its queue was first declared,
// and the replicas of a group consume one queue and share it. Messages are
// persistent and publishing waits for the broker's confirm. A nack requeues
// the message; a consumer whose channel closes before acking returns its
// messages to the queue. ?prefetch= (default 10) bounds unacked deliveries
// per consumer. Connections reconnect with backoff.
func open(_ context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	q := u.Query()
	prefetch, err := bus.IntParam(q, "prefetch", 10)
	if err != nil {
		return nil, err
	}
	q.Del("prefetch")
	uri := *u
	uri.RawQuery = q.Encode()
	logger := watermill.NewSlogLogger(o.Logger)

	config := func(group string) amqp.Config {
		return amqp.Config{
			Connection: amqp.ConnectionConfig{AmqpURI: uri.String(), Reconnect: amqp.DefaultReconnectConfig()},
			Marshaler:  amqp.DefaultMarshaler{},
			Exchange: amqp.ExchangeConfig{
				GenerateName: func(topic string) string { return topic },
				Type:         "topic",
				Durable:      true,
			},
			Queue: amqp.QueueConfig{
				GenerateName: func(topic string) string { return topic + "__" + group },
				Durable:      true,
			},
			QueueBind: amqp.QueueBindConfig{GenerateRoutingKey: func(string) string { return "#" }},
			Publish: amqp.PublishConfig{
				GenerateRoutingKey: func(topic string) string { return topic },
				ConfirmDelivery:    true,
				ChannelPoolSize:    4,
			},
			Consume:         amqp.ConsumeConfig{Qos: amqp.QosConfig{PrefetchCount: prefetch}},
			TopologyBuilder: &amqp.DefaultTopologyBuilder{},
		}
	}

	pub, err := amqp.NewPublisher(config("publisher"), logger)
	if err != nil {
		return nil, fmt.Errorf("bus: amqp publisher: %w", err)
	}
	return bus.NewTransport(bus.Parts{
		Name:      "amqp",
		Publisher: pub,
		NewSubscriber: func(group string) (message.Subscriber, error) {
			sub, err := amqp.NewSubscriber(config(group), logger)
			if err != nil {
				return nil, fmt.Errorf("bus: amqp subscriber: %w", err)
			}
			return sub, nil
		},
	}), nil
}
