package bus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-sqlite/wmsqlitezombiezen"
	"github.com/ThreeDotsLabs/watermill/message"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// Embedded bus tuning. A consumer group reads a topic in batches under a
// time lock on its offset row: a replica that dies mid-batch holds the lock
// for embeddedLockTimeout, after which another replica of the group resumes
// from the last acknowledged offset. A publish in this process wakes the
// topic's subscriptions at once, and a subscription reads batch after batch
// while there are rows; the poll only bounds how late a publish from another
// process on the same file is seen, and an idle poll is one PRAGMA read.
const (
	embeddedPollInterval = 50 * time.Millisecond
	embeddedLockTimeout  = 5 * time.Second
	embeddedBatchSize    = 100
)

// openEmbedded opens the durable bus in <DataDir>/bus.db: one SQLite table per
// topic and an offsets table per topic with one row per consumer group.
// SQLite's file locking makes it safe for several processes on one host.
func openEmbedded(ctx context.Context, o Options) (Transport, error) {
	if o.DataDir == "" {
		return nil, errors.New("bus: the embedded bus needs a data directory")
	}
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("bus: create data directory: %w", err)
	}
	path := filepath.Join(o.DataDir, "bus.db")
	logger := watermill.NewSlogLogger(o.Logger)

	conn, err := openSQLite(ctx, path)
	if err != nil {
		return nil, err
	}
	pub, err := wmsqlitezombiezen.NewPublisher(conn, wmsqlitezombiezen.PublisherOptions{
		InitializeSchema: true,
		Logger:           logger,
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("bus: embedded publisher: %w", err)
	}
	hub := newWakeHub()
	return &transport{
		name: "embedded",
		pub:  &checkedPublisher{Publisher: wakingPublisher{Publisher: pub, hub: hub}},
		newSub: func(group string) (message.Subscriber, error) {
			return &embeddedSubscriber{
				path: path, group: group, hub: hub,
				poll: embeddedPollInterval, lockTimeout: embeddedLockTimeout, batch: embeddedBatchSize,
				log: o.Logger, closing: make(chan struct{}),
			}, nil
		},
		release: []func() error{conn.Close},
	}, nil
}

// openSQLite opens the bus file, retrying while another connection holds
// the lock that switching a new file to WAL needs (SQLite reports "database
// is locked" at once there, without waiting on its busy handler). Once the
// file is in WAL mode, later connections (the subscribers') open at once.
func openSQLite(ctx context.Context, path string) (*sqlite.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		conn, err := sqlite.OpenConn(path)
		if err == nil {
			// As the services' stores: WAL without an fsync per commit. A
			// process crash loses nothing; a power loss can lose the last
			// commits of the bus and of the outboxes alike.
			if err := sqlitex.ExecuteTransient(conn, "PRAGMA synchronous=NORMAL", nil); err != nil {
				_ = conn.Close()
				return nil, fmt.Errorf("bus: open %s: %w", path, err)
			}
			return conn, nil
		}
		if sqlite.ErrCode(err) != sqlite.ResultBusy && !strings.Contains(err.Error(), "database is locked") {
			return nil, fmt.Errorf("bus: open %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("bus: open %s: %w", path, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
