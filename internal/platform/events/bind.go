package events

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Bind makes a Handler of a consumer that works through a repository
// instead of a raw transaction: for each delivery, bind builds the
// repository R on the consumer's transaction (the one that also records
// the event in the inbox), and apply gets only that repository. So a
// consumer cannot run SQL of its own, and every change it makes through R
// commits or rolls back with the event's inbox entry.
//
// bind receives the transaction as a bun.IDB; a repository that needs to
// know it is inside a transaction can still assert it to bun.Tx.
func Bind[R any](bind func(idb bun.IDB) R, apply func(ctx context.Context, repo R, e bus.Event) error) Handler {
	return func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		return apply(ctx, bind(tx), e)
	}
}
