package storage

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// dbLocker is tusd's locker across replicas: a lease per upload in the
// storage database (store_tus.go), which every replica shares. tusd's own
// memorylocker only keeps requests of one process apart.
type dbLocker struct {
	store *Store
	log   *slog.Logger
	// lease is how long a lock outlives a holder that stops renewing it
	// (a crashed replica); renew is how often a live holder renews.
	lease, renew time.Duration
}

func (l *dbLocker) UseIn(c *tusd.StoreComposer) { c.UseLocker(l) }

func (l *dbLocker) NewLock(id string) (tusd.Lock, error) {
	return &dbLock{locker: l, id: id, holder: uuid.NewString()}, nil
}

type dbLock struct {
	locker *dbLocker
	id     string
	holder string

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

// Lock waits for the lock until ctx ends (tusd.ErrLockTimeout), asking
// the holder to let go meanwhile.
func (d *dbLock) Lock(ctx context.Context, requestUnlock func()) error {
	wait := 10 * time.Millisecond
	asked := false
	for {
		ok, err := d.locker.store.TakeTusLock(ctx, d.id, d.holder, time.Now(), d.locker.lease)
		if err != nil && ctx.Err() == nil {
			return err
		}
		if ok {
			d.mu.Lock()
			d.stop, d.done = make(chan struct{}), make(chan struct{})
			go d.keep(d.stop, d.done, requestUnlock) //nolint:gosec // the lease outlives the request that took it
			d.mu.Unlock()
			return nil
		}
		if !asked {
			if err := d.locker.store.WantTusLock(ctx, d.id, d.holder); err == nil {
				asked = true
			}
		}
		select {
		case <-ctx.Done():
			return tusd.ErrLockTimeout
		case <-time.After(wait):
		}
		wait = min(wait*2, 250*time.Millisecond)
	}
}

// keep renews the lease until Unlock, and passes on a waiting request's
// wish to take over.
func (d *dbLock) keep(stop, done chan struct{}, requestUnlock func()) {
	defer close(done)
	t := time.NewTicker(d.locker.renew)
	defer t.Stop()
	told := false
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), d.locker.renew)
		held, wanted, err := d.locker.store.RenewTusLock(ctx, d.id, d.holder, time.Now(), d.locker.lease)
		cancel()
		switch {
		case err != nil:
			d.locker.log.Warn("renewing a tus upload lock", slog.String("upload_id", d.id), slog.Any("error", err))
		case !held:
			d.locker.log.Warn("a tus upload lock lapsed while held", slog.String("upload_id", d.id))
			return
		case wanted && !told && requestUnlock != nil:
			told = true
			requestUnlock()
		}
	}
}

func (d *dbLock) Unlock() error {
	d.mu.Lock()
	stop, done := d.stop, d.done
	d.stop, d.done = nil, nil
	d.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.locker.store.DropTusLock(ctx, d.id, d.holder)
}
