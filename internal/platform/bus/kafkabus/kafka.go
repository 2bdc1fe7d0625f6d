// Package kafkabus is the Apache Kafka transport of package bus (kafka://).
// It is linked into a binary only when Register is called.
package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-kafka/v3/pkg/kafka"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Register makes the transport available to bus.Open.
func Register() error { return bus.Register("kafka", open) }

// open connects to Apache Kafka through Sarama. Topics are created on
// first publish or subscribe with ?partitions= (default 4) and
// ?replication= (default 1). Messages are keyed by the event's partition key
// (bus.MetaKey), so one key lives in one partition and keeps its order; a
// consumer group is a Kafka consumer group, whose members split the
// partitions. A new group starts at the oldest retained message. A nack
// resends the message to the same handler; an unacknowledged message is
// delivered again to whichever member owns its partition after a rebalance.
func open(_ context.Context, u *url.URL, o bus.Options) (bus.Transport, error) {
	q := u.Query()
	brokers := strings.Split(u.Host, ",")
	if u.Host == "" {
		return nil, errors.New("bus.url: kafka:// needs at least one broker host:port")
	}
	partitions, err := bus.IntParam(q, "partitions", 4)
	if err != nil {
		return nil, err
	}
	replication, err := bus.IntParam(q, "replication", 1)
	if err != nil {
		return nil, err
	}
	if partitions > 10000 || replication > 100 {
		return nil, errors.New("bus.url: partitions must be at most 10000 and replication at most 100")
	}
	logger := watermill.NewSlogLogger(o.Logger)
	marshaler := kafka.NewWithPartitioningMarshaler(func(_ string, m *message.Message) (string, error) {
		return m.Metadata.Get(bus.MetaKey), nil
	})

	pubCfg := kafka.DefaultSaramaSyncPublisherConfig()
	pubCfg.Producer.RequiredAcks = sarama.WaitForAll
	pubCfg.Producer.Idempotent = false
	pubCfg.Metadata.Retry.Backoff = 250 * time.Millisecond
	pubCfg.ClientID = "alexandria"
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{
		Brokers:               brokers,
		Marshaler:             marshaler,
		OverwriteSaramaConfig: pubCfg,
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("bus: kafka publisher: %w", err)
	}

	topics := &kafkaTopics{brokers: brokers, detail: sarama.TopicDetail{
		NumPartitions: int32(partitions), ReplicationFactor: int16(replication), //nolint:gosec // bounded above
	}}
	return bus.NewTransport(bus.Parts{
		Name:      "kafka",
		Publisher: pub,
		Prepare:   topics.ensure,
		NewSubscriber: func(group string) (message.Subscriber, error) {
			cfg := kafka.DefaultSaramaSubscriberConfig()
			cfg.ClientID = "alexandria"
			cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
			cfg.Consumer.Offsets.AutoCommit.Interval = 200 * time.Millisecond
			cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
			cfg.Metadata.Retry.Backoff = 250 * time.Millisecond
			sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{
				Brokers:               brokers,
				Unmarshaler:           marshaler,
				OverwriteSaramaConfig: cfg,
				ConsumerGroup:         group,
				NackResendSleep:       100 * time.Millisecond,
				ReconnectRetrySleep:   time.Second,
			}, logger)
			if err != nil {
				return nil, fmt.Errorf("bus: kafka subscriber: %w", err)
			}
			return &kafkaSubscriber{Subscriber: sub, topics: topics}, nil
		},
	}), nil
}

// kafkaSubscriber creates the topic before joining the group, so a group
// that starts before any publisher still sees the topic's partitions.
type kafkaSubscriber struct {
	*kafka.Subscriber
	topics *kafkaTopics
}

func (s *kafkaSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := s.topics.ensure(topic); err != nil {
		return nil, err
	}
	return s.Subscriber.Subscribe(ctx, topic)
}

// kafkaTopics creates topics once per process.
type kafkaTopics struct {
	brokers []string
	detail  sarama.TopicDetail

	mu    sync.Mutex
	known map[string]bool
}

func (k *kafkaTopics) ensure(topic string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.known[topic] {
		return nil
	}
	cfg := sarama.NewConfig()
	cfg.ClientID = "alexandria-admin"
	admin, err := sarama.NewClusterAdmin(k.brokers, cfg)
	if err != nil {
		return fmt.Errorf("bus: kafka admin: %w", err)
	}
	defer admin.Close()
	detail := k.detail
	if err := admin.CreateTopic(topic, &detail, false); err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		var te *sarama.TopicError
		if !errors.As(err, &te) || !errors.Is(te.Err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("bus: kafka create topic %s: %w", topic, err)
		}
	}
	if k.known == nil {
		k.known = map[string]bool{}
	}
	k.known[topic] = true
	return nil
}
