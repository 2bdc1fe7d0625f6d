package bus

import (
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
)

// memory is an in-process transport for tests: nothing is durable, and every
// subscriber receives every message (one subscriber per group is assumed).
type memory struct{ ch *gochannel.GoChannel }

// NewMemory returns an in-process, non-durable transport for tests.
func NewMemory(log *slog.Logger) Transport {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return memory{ch: gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 256}, watermill.NewSlogLogger(log))}
}

func (m memory) Name() string                                  { return "memory" }
func (m memory) Publisher() message.Publisher                  { return m.ch }
func (m memory) Subscriber(string) (message.Subscriber, error) { return noClose{m.ch}, nil }
func (m memory) Close() error                                  { return m.ch.Close() }

// noClose keeps one group's Close from closing the shared channel.
type noClose struct{ *gochannel.GoChannel }

func (noClose) Close() error { return nil }
