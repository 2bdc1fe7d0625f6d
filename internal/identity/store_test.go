package identity

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestStore is the repository contract, run on SQLite and PostgreSQL.
func TestStore(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			st := &store{db: moduletest.OpenDB(t, backend, "identity", Migrations)}
			ctx := context.Background()
			now := time.Now().UTC()

			t.Run("create_user_and_read_back", func(t *testing.T) {
				u := testUser("reader@example.org", auth.RoleReader)
				if err := st.createUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				got, err := st.userByEmail(ctx, "reader@example.org")
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != u.ID || got.DisplayName != u.DisplayName || len(got.Roles) != 1 || got.Version != 1 ||
					!got.CreatedAt.Equal(u.CreatedAt) {
					t.Fatalf("read back %+v, want %+v", got, u)
				}
			})

			t.Run("duplicate_email_is_a_conflict_whatever_the_case", func(t *testing.T) {
				if err := st.createUser(ctx, testUser("dup@example.org")); err != nil {
					t.Fatal(err)
				}
				// Emails are normalised before they reach the store.
				email, _ := normalizeEmail("DUP@Example.org")
				err := st.createUser(ctx, testUser(email))
				if !errors.Is(err, errs.ErrConflict) {
					t.Fatalf("second insert: %v", err)
				}
			})

			t.Run("unknown_user_is_not_found", func(t *testing.T) {
				if _, err := st.userByID(ctx, uuid.NewString()); !errors.Is(err, errs.ErrNotFound) {
					t.Fatalf("err = %v", err)
				}
			})

			t.Run("stale_version_is_precondition_failed", func(t *testing.T) {
				u := testUser("versioned@example.org")
				_ = st.createUser(ctx, u)
				_, err := st.updateUser(ctx, u.ID, 7, now, func(u *User) error { return nil })
				if errs.KindOf(err) != errs.PreconditionFailed {
					t.Fatalf("err = %v", err)
				}
				got, err := st.updateUser(ctx, u.ID, 1, now, func(u *User) error { u.DisplayName = "New"; return nil })
				if err != nil || got.Version != 2 || got.DisplayName != "New" {
					t.Fatalf("update = %+v, %v", got, err)
				}
			})

			t.Run("refresh_rotation_then_reuse_revokes_family", func(t *testing.T) {
				u := testUser("refresher@example.org")
				_ = st.createUser(ctx, u)
				family := uuid.NewString()
				first := refreshRow{TokenHash: hashSecret("first-" + u.ID), FamilyID: family, UserID: u.ID,
					CreatedAt: ts(now), ExpiresAt: ts(now.Add(time.Hour))}
				if err := st.insertRefresh(ctx, first); err != nil {
					t.Fatal(err)
				}
				second := hashSecret("second-" + u.ID)
				next := func(u User, fam string) (refreshRow, error) {
					return refreshRow{TokenHash: second, FamilyID: fam, UserID: u.ID, CreatedAt: ts(now), ExpiresAt: ts(now.Add(time.Hour))}, nil
				}
				if _, err := st.rotateRefresh(ctx, first.TokenHash, now, 0, next); err != nil {
					t.Fatalf("first rotation: %v", err)
				}
				row, _ := st.refreshState(ctx, second)
				if row.FamilyID != family || row.UsedAt != nil || row.RevokedAt != nil {
					t.Fatalf("successor = %+v", row)
				}
				// Reusing the spent token revokes the whole family.
				if _, err := st.rotateRefresh(ctx, first.TokenHash, now, 0, next); !errors.Is(err, errs.ErrUnauthenticated) {
					t.Fatalf("reuse: %v", err)
				}
				row, _ = st.refreshState(ctx, second)
				if row.RevokedAt == nil {
					t.Fatal("successor not revoked after reuse")
				}
				if _, err := st.rotateRefresh(ctx, second, now, 0, next); !errors.Is(err, errs.ErrUnauthenticated) {
					t.Fatalf("revoked successor: %v", err)
				}
			})

			t.Run("expired_refresh_token_is_refused", func(t *testing.T) {
				u := testUser("expired@example.org")
				_ = st.createUser(ctx, u)
				old := refreshRow{TokenHash: hashSecret("old-" + u.ID), FamilyID: uuid.NewString(), UserID: u.ID,
					CreatedAt: ts(now.Add(-2 * time.Hour)), ExpiresAt: ts(now.Add(-time.Hour))}
				_ = st.insertRefresh(ctx, old)
				_, err := st.rotateRefresh(ctx, old.TokenHash, now, 0, func(User, string) (refreshRow, error) {
					t.Fatal("successor built for an expired token")
					return refreshRow{}, nil
				})
				if !errors.Is(err, errs.ErrUnauthenticated) {
					t.Fatalf("err = %v", err)
				}
			})

			t.Run("concurrent_refresh_of_one_token_has_one_winner", func(t *testing.T) {
				u := testUser("racer@example.org")
				_ = st.createUser(ctx, u)
				tok := refreshRow{TokenHash: hashSecret("race-" + u.ID), FamilyID: uuid.NewString(), UserID: u.ID,
					CreatedAt: ts(now), ExpiresAt: ts(now.Add(time.Hour))}
				_ = st.insertRefresh(ctx, tok)
				const racers = 6
				var wg sync.WaitGroup
				results := make(chan error, racers)
				for range racers {
					wg.Go(func() {
						_, err := st.rotateRefresh(ctx, tok.TokenHash, now, 0, func(u User, fam string) (refreshRow, error) {
							return refreshRow{TokenHash: hashSecret(uuid.NewString()), FamilyID: fam, UserID: u.ID,
								CreatedAt: ts(now), ExpiresAt: ts(now.Add(time.Hour))}, nil
						})
						results <- err
					})
				}
				wg.Wait()
				close(results)
				wins := 0
				for err := range results {
					switch {
					case err == nil:
						wins++
					case !errors.Is(err, errs.ErrUnauthenticated):
						t.Errorf("unexpected error: %v", err)
					}
				}
				if wins != 1 {
					t.Fatalf("%d refreshes succeeded, want exactly 1", wins)
				}
			})

			t.Run("key_rotation_keeps_old_key_published", func(t *testing.T) {
				ring := newKeyRing(st, 24*time.Hour, func() time.Time { return time.Now().UTC() })
				if err := ring.ensure(ctx); err != nil {
					t.Fatal(err)
				}
				before, _ := ring.current(ctx, false)
				oldKID, _ := before.signing.KeyID()
				if err := ring.rotate(ctx); err != nil {
					t.Fatal(err)
				}
				after, _ := ring.current(ctx, false)
				newKID, _ := after.signing.KeyID()
				if newKID == oldKID {
					t.Fatal("rotation kept the same active key")
				}
				if _, ok := after.public.LookupKeyID(oldKID); !ok {
					t.Fatal("retired key left the JWKS")
				}
				if _, ok := after.public.LookupKeyID(newKID); !ok {
					t.Fatal("new key missing from the JWKS")
				}
				// Beyond the retention the old key is no longer published.
				rows, err := st.publishedKeys(ctx, time.Now().Add(time.Minute))
				if err != nil || len(rows) != 1 || rows[0].KID != newKID {
					t.Fatalf("published after retention: %d keys, %v", len(rows), err)
				}
			})

			t.Run("deleting_the_last_admin_is_a_conflict", func(t *testing.T) {
				a := testUser("only-admin@example.org", auth.RoleReader, auth.RoleAdmin)
				_ = st.createUser(ctx, a)
				// Other admins may exist in this shared store; delete them first.
				users, _ := st.listUsers(ctx, userFilter{Role: auth.RoleAdmin}, "", 100)
				for _, u := range users {
					if u.ID != a.ID {
						_ = st.deleteUser(ctx, u.ID)
					}
				}
				if err := st.deleteUser(ctx, a.ID); !errors.Is(err, errs.ErrConflict) {
					t.Fatalf("err = %v", err)
				}
			})
		})
	}
}

func testUser(email string, roles ...string) User {
	if len(roles) == 0 {
		roles = []string{auth.RoleReader}
	}
	now := ts(time.Now())
	return User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, DisplayName: "Test " + email,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		Roles:        roles, CreatedAt: now, UpdatedAt: now, Version: 1}
}

// refreshState returns the stored row for hash.
func (s *store) refreshState(ctx context.Context, hash string) (refreshRow, error) {
	var row refreshRow
	err := s.db.NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx)
	if db.IsNoRows(err) {
		return row, errs.NotFoundf("no such refresh token")
	}
	return row, err
}
