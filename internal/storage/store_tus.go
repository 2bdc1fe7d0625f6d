package storage

import (
	"context"
	"time"
)

// The tus upload locks (tus_lock.go): leases in tus_locks.

// TakeTusLock takes the lock on upload id for holder until the lease ends,
// when it is free or its lease has lapsed. It reports whether it did.
func (s *Store) TakeTusLock(ctx context.Context, id, holder string, now time.Time, lease time.Duration) (bool, error) {
	res, err := s.db.NewRaw(`INSERT INTO tus_locks (upload_id, holder, expires_ms, release_wanted) VALUES (?, ?, ?, 0)
ON CONFLICT (upload_id) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms, release_wanted = 0
WHERE tus_locks.expires_ms < ?`, id, holder, now.Add(lease).UnixMilli(), now.UnixMilli()).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// WantTusLock asks the holder of upload id's lock (not holder) to let go.
func (s *Store) WantTusLock(ctx context.Context, id, holder string) error {
	_, err := s.db.NewRaw(`UPDATE tus_locks SET release_wanted = 1 WHERE upload_id = ? AND holder <> ?`, id, holder).Exec(ctx)
	return err
}

// RenewTusLock extends holder's lease on upload id. It reports whether
// holder still has the lock and whether another request wants it.
func (s *Store) RenewTusLock(ctx context.Context, id, holder string, now time.Time, lease time.Duration) (held, wanted bool, err error) {
	res, err := s.db.NewRaw(`UPDATE tus_locks SET expires_ms = ? WHERE upload_id = ? AND holder = ?`,
		now.Add(lease).UnixMilli(), id, holder).Exec(ctx)
	if err != nil {
		return false, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, false, err
	}
	var w int
	if err := s.db.NewRaw(`SELECT release_wanted FROM tus_locks WHERE upload_id = ? AND holder = ?`, id, holder).
		Scan(ctx, &w); err != nil {
		return false, false, err
	}
	return true, w != 0, nil
}

// DropTusLock releases holder's lock on upload id.
func (s *Store) DropTusLock(ctx context.Context, id, holder string) error {
	_, err := s.db.NewRaw(`DELETE FROM tus_locks WHERE upload_id = ? AND holder = ?`, id, holder).Exec(ctx)
	return err
}
