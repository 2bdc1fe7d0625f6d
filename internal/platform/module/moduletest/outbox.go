package moduletest

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// WithBrokerDown gives a service a transport whose broker refuses every
// message: the relay keeps retrying and every recorded event stays in the
// outbox, where a test reads them in order with an Outbox. Nothing reaches
// consumers either.
func WithBrokerDown(d *module.Deps) { d.Bus = brokerDown{bus.NewMemory(nil)} }

type brokerDown struct{ bus.Transport }

func (brokerDown) Publisher() message.Publisher { return refusingPublisher{} }

type refusingPublisher struct{}

func (refusingPublisher) Publish(string, ...*message.Message) error { return errors.New("broker down") }
func (refusingPublisher) Close() error                              { return nil }

// OutboxRow is an outbox row as tests read it.
type OutboxRow struct {
	ID       int64  `bun:"id"`
	Type     string `bun:"type"`
	Metadata string `bun:"metadata"`
	Payload  []byte `bun:"payload"`
}

// Outbox reads the events a service recorded, in order.
type Outbox struct {
	T    testing.TB
	DB   *db.DB
	last int64
}

// Next returns the events recorded since the last call.
func (o *Outbox) Next() []OutboxRow {
	o.T.Helper()
	var rows []OutboxRow
	err := o.DB.NewSelect().TableExpr("outbox").Column("id", "type", "metadata", "payload").
		Where("id > ?", o.last).Order("id").Scan(context.Background(), &rows)
	if err != nil {
		o.T.Fatal(err)
	}
	if len(rows) > 0 {
		o.last = rows[len(rows)-1].ID
	}
	return rows
}
