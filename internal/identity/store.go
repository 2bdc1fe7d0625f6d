package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/clock"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// store is identity's repository: one bun code path for SQLite and
// PostgreSQL. Methods that take a time use it for every timestamp they
// write, so callers (and tests) control the clock. Every change of a user
// records its events (events.go) in its transaction.
type store struct {
	db     *db.DB
	events recorder
	// revoked, when set, is called after a transaction that may have
	// logged revocations commits (store_revocations.go).
	revoked func(ctx context.Context)
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`

	ID            string    `bun:"id,pk"`
	Email         string    `bun:"email"`
	DisplayName   string    `bun:"display_name"`
	PasswordHash  string    `bun:"password_hash"`
	Roles         string    `bun:"roles"`
	Suspended     bool      `bun:"suspended"`
	EmailVerified bool      `bun:"email_verified"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func toUserRow(u User) *userRow {
	return &userRow{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, PasswordHash: u.PasswordHash,
		Roles: encodeRoles(u.Roles), Suspended: u.Suspended, EmailVerified: u.EmailVerified, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
}

func (r *userRow) user() User {
	return User{ID: r.ID, Email: r.Email, DisplayName: r.DisplayName, PasswordHash: r.PasswordHash,
		Roles: decodeRoles(r.Roles), Suspended: r.Suspended, EmailVerified: r.EmailVerified, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// encodeRoles stores roles comma-wrapped (",reader,admin,"), so one LIKE
// finds a role; decodeRoles reverses it.
func encodeRoles(roles []string) string { return "," + strings.Join(roles, ",") + "," }

func decodeRoles(s string) []string {
	var out []string
	for r := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

// recorder writes an event in the caller's transaction (events.Pipeline).
type recorder interface {
	Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error
}

// record writes events of u in tx. A store without a recorder (repository
// tests) records nothing.
func (s *store) record(ctx context.Context, tx bun.Tx, u User, types ...string) error {
	if s.events == nil {
		return nil
	}
	for _, typ := range types {
		if err := s.events.Record(ctx, tx, typ, "user/"+u.ID, u.ID, toUserV1(u)); err != nil {
			return err
		}
	}
	return nil
}

// ts is how every time is stored: UTC, microseconds.
var ts = clock.Stamp

var errEmailTaken = errs.Conflictf("an account with this email already exists")

func (s *store) ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// createUser inserts u; a taken email is a Conflict.
func (s *store) createUser(ctx context.Context, u User) error {
	return s.createUserMailing(ctx, u, nil)
}

// createUserMailing inserts u and, unless tok is nil, a verification token
// with its mail request, all in one transaction: an account is never left
// without the mail that verifies it.
func (s *store) createUserMailing(ctx context.Context, u User, tok *mailToken) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(toUserRow(u)).Exec(ctx)
		if db.IsUniqueViolation(err) {
			return errEmailTaken
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if err := s.record(ctx, tx, u, EventUserRegistered); err != nil {
			return err
		}
		if tok == nil {
			return nil
		}
		return s.insertMailToken(ctx, tx, *tok)
	})
}

func (s *store) userByID(ctx context.Context, id string) (User, error) {
	return getUser(ctx, s.db.DB, "id = ?", id)
}

func (s *store) userByEmail(ctx context.Context, email string) (User, error) {
	return getUser(ctx, s.db.DB, "email = ?", email)
}

func getUser(ctx context.Context, idb bun.IDB, where string, arg any) (User, error) {
	var row userRow
	err := idb.NewSelect().Model(&row).Where(where, arg).Scan(ctx)
	if db.IsNoRows(err) {
		return User{}, errs.NotFoundf("no such user")
	}
	if err != nil {
		return User{}, fmt.Errorf("select user: %w", err)
	}
	return row.user(), nil
}

// anyAdmin reports whether some active (not suspended) account holds the
// admin role: a suspended administrator cannot administer anything.
func (s *store) anyAdmin(ctx context.Context) (bool, error) {
	n, err := activeAdmins(ctx, s.db.DB, "")
	return n > 0, err
}

// activeAdmins counts the active administrators other than except.
func activeAdmins(ctx context.Context, idb bun.IDB, except string) (int, error) {
	q := idb.NewSelect().Model((*userRow)(nil)).Where("roles LIKE ? AND suspended = ?", roleLike(auth.RoleAdmin), false)
	if except != "" {
		q = q.Where("id <> ?", except)
	}
	n, err := q.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return int(n), nil
}

// activeAdmin reports whether u can administer the platform.
func activeAdmin(u User) bool { return u.IsAdmin() && !u.Suspended }

var errLastAdmin = errs.Conflictf("this is the last active administrator; make someone else an administrator first")

// keepAnAdmin refuses a change that takes the last active administrator
// away (before is active, after is not, or nil for a deletion). It must run
// after lockAdmins, or two concurrent changes can each see the other as
// the remaining administrator.
func keepAnAdmin(ctx context.Context, tx bun.Tx, before User, after *User) error {
	if !activeAdmin(before) || (after != nil && activeAdmin(*after)) {
		return nil
	}
	others, err := activeAdmins(ctx, tx, before.ID)
	if err != nil {
		return err
	}
	if others == 0 {
		return errLastAdmin
	}
	return nil
}

// adminLockKey names the PostgreSQL advisory lock that serialises changes
// of users ("alx-adm" in ASCII).
const adminLockKey int64 = 0x616c782d61646d

// lockAdmins serialises user changes that may affect who administers the
// platform. SQLite transactions are IMMEDIATE, so they are serialised
// already; on PostgreSQL (READ COMMITTED) two transactions could otherwise
// both count the other's administrator and both remove theirs. The lock is
// released when tx ends.
func (s *store) lockAdmins(ctx context.Context, tx bun.Tx) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", adminLockKey); err != nil {
		return fmt.Errorf("lock administrators: %w", err)
	}
	return nil
}

func roleLike(role string) string { return "%," + role + ",%" }

// updateUser applies change to the user in one transaction. ifVersion > 0
// makes it conditional (a stale version is PreconditionFailed). The row is
// written only if its version is still the one read, so two concurrent
// updates cannot overwrite each other. When the change suspends the user or
// replaces the password hash, every refresh token of the user is revoked in
// the same transaction: a changed credential ends every session. The last
// active administrator cannot be suspended or lose the admin role.
func (s *store) updateUser(ctx context.Context, id string, ifVersion int64, now time.Time, change func(u *User) error) (User, error) {
	return s.updateUserKeeping(ctx, id, ifVersion, now, "", change)
}

// updateUserKeeping is updateUser; a password change keeps the session keep
// (the one that changed it), a suspension ends every session.
func (s *store) updateUserKeeping(ctx context.Context, id string, ifVersion int64, now time.Time, keep string, change func(u *User) error) (User, error) {
	var out User
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockAdmins(ctx, tx); err != nil {
			return err
		}
		before, err := getUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if ifVersion > 0 && before.Version != ifVersion {
			return errStaleVersion(before.Version)
		}
		after := before
		after.Roles = append([]string(nil), before.Roles...)
		if err := change(&after); err != nil {
			return err
		}
		if err := keepAnAdmin(ctx, tx, before, &after); err != nil {
			return err
		}
		after.Version = before.Version + 1
		after.UpdatedAt = ts(now)
		res, err := tx.NewUpdate().Model(toUserRow(after)).
			Column("display_name", "password_hash", "roles", "suspended", "updated_at", "version").
			Where("id = ? AND version = ?", id, before.Version).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.Conflictf("the user changed while updating; read it again and retry")
		}
		switch {
		case after.Suspended && !before.Suspended:
			if err := revokeUserSessions(ctx, tx, id, now); err != nil {
				return err
			}
		case after.PasswordHash != before.PasswordHash:
			if err := revokeUserSessionsExcept(ctx, tx, id, keep, now); err != nil {
				return err
			}
		}
		if err := logUserChange(ctx, tx, before, after, now); err != nil {
			return err
		}
		out = after
		return s.record(ctx, tx, after, userEvents(before, after)...)
	})
	if err == nil {
		s.afterRevoke(ctx)
	}
	return out, err
}

func errStaleVersion(current int64) error {
	return errs.New(errs.PreconditionFailed, "If-Match does not match the current version (ETag \"%d\"); read it again", current)
}

// deleteUser removes the user; their tokens go with them (ON DELETE
// CASCADE). The deleted event carries the user as it was. The last active
// administrator cannot be deleted, so the platform always keeps someone able
// to administer it.
func (s *store) deleteUser(ctx context.Context, id string) error {
	defer s.afterRevoke(ctx)
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockAdmins(ctx, tx); err != nil {
			return err
		}
		u, err := getUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if err := keepAnAdmin(ctx, tx, u, nil); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*userRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		if err := logUserCut(ctx, tx, u.ID, deletedVersion, auth.RevokedDeleted, time.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, u, EventUserDeleted)
	})
}

// userFilter narrows listUsers; empty fields do not filter.
type userFilter struct {
	Query     string
	Role      string
	Suspended *bool
}

// listUsers returns up to limit users with id > after, in id order (UUIDv7:
// creation order).
func (s *store) listUsers(ctx context.Context, f userFilter, after string, limit int) ([]User, error) {
	var rows []userRow
	q := s.db.NewSelect().Model(&rows).OrderExpr("id ASC").Limit(int64(limit))
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if f.Query != "" {
		pattern := httpx.ContainsPattern(strings.ToLower(f.Query))
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("LOWER(email) LIKE ? "+httpx.LikeEscape, pattern).WhereOr("LOWER(display_name) LIKE ? "+httpx.LikeEscape, pattern)
		})
	}
	if f.Role != "" {
		q = q.Where("roles LIKE ?", roleLike(f.Role))
	}
	if f.Suspended != nil {
		q = q.Where("suspended = ?", *f.Suspended)
	}
	if err := q.Scan(ctx); err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]User, len(rows))
	for i := range rows {
		out[i] = rows[i].user()
	}
	return out, nil
}
