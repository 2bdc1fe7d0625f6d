// Package e2e starts the real alexandria binary and drives it through the
// public Go client, once on SQLite and once on PostgreSQL.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

const (
	adminEmail    = "root@alexandria.test"
	adminPassword = "correct horse battery staple 42"
)

func TestScenarioSQLite(t *testing.T) {
	t.Parallel()
	env := []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0",
		"ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail,
		"ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_FORMAT=json",
	}
	scenario(t, single(t, env))
}

func TestScenarioPostgres(t *testing.T) {
	t.Parallel()
	env := []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0",
		"ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_DATABASE_URL=" + freshPostgresDatabase(t),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail,
		"ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_FORMAT=json",
	}
	scenario(t, single(t, env))
}

// deployment is the platform under test: one process, or one per target
// behind the gateway.
type deployment interface {
	// URL is where clients reach the public API.
	URL() string
	// Restart stops every process cleanly and starts it again on the same data.
	Restart(t *testing.T)
}

// singleProcess runs every target in one process (-target=all).
type singleProcess struct {
	env []string
	p   *process
}

func single(t *testing.T, env []string) *singleProcess {
	return &singleProcess{env: env, p: start(t, env)}
}

// adminOnNewInstance starts one all-in-one process on a new data directory
// (JSON logs) and signs in its first administrator: the process, an
// anonymous client, the administrator's client and tokens.
func adminOnNewInstance(ctx context.Context, t *testing.T) (*singleProcess, *client.Client, *client.Client, *client.Tokens) {
	t.Helper()
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json"})
	anon := client.New(d.URL(), nil)
	tok, err := anon.Login(ctx, adminEmail, adminPassword)
	must(t, err)
	return d, anon, anon.WithToken(tok.AccessToken), tok
}

func (s *singleProcess) URL() string { return s.p.URL }

func (s *singleProcess) Restart(t *testing.T) {
	s.p.stop()
	s.p = start(t, s.env)
}

// scenario is the user journey of the foundation: accounts, an author with
// a second member, media through their whole lifecycle, and a restart.
func scenario(t *testing.T, d deployment) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	anon := client.New(d.URL(), nil)

	// Accounts.
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)
	alice := registerAndSignIn(ctx, t, anon, "alice@example.org", "Alice")
	bobUser, bob := registerAndSignInUser(ctx, t, anon, "bob@example.org", "Bob")
	carol := registerAndSignIn(ctx, t, anon, "carol@example.org", "Carol")
	_, err := anon.Register(ctx, "ALICE@example.org", "another long passphrase", "Alice again")
	wantStatus(t, "duplicate email", err, http.StatusConflict)
	_, err = anon.Register(ctx, "dave@example.org", "short", "Dave")
	wantStatus(t, "weak password", err, http.StatusUnprocessableEntity)

	// Only authors create author profiles: a reader is refused, then the
	// admin grants alice the author role and she signs in again.
	_, err = alice.CreateAuthor(ctx, client.AuthorInput{Name: "Too early"})
	wantStatus(t, "reader creates author", err, http.StatusForbidden)
	aliceUser, err := alice.Me(ctx)
	must(t, err)
	_, err = admin.UpdateUser(ctx, aliceUser.ID, client.UserPatch{Roles: []string{"reader", "author"}})
	must(t, err)
	alice = signIn(ctx, t, anon, "alice@example.org", passwordOf("alice@example.org"))

	author, err := alice.CreateAuthor(ctx, client.AuthorInput{Name: "The Open Shelf", Bio: "Two people, one channel",
		Links: []client.Link{{Title: "site", URL: "https://shelf.example.org"}}})
	must(t, err)
	_, err = alice.AddMember(ctx, author.ID, bobUser.ID, "member")
	must(t, err)
	_, err = bob.AddMember(ctx, author.ID, "01890000-0000-7000-8000-000000000000", "member")
	wantStatus(t, "member adds member", err, http.StatusForbidden)

	// Media: bob publishes under the shared author; carol may not.
	_, err = carol.CreateMedia(ctx, client.MediaInput{Title: "Not mine", Kind: "book", Language: "en", AuthorIDs: []string{author.ID}})
	wantStatus(t, "non-member creates media", err, http.StatusForbidden)
	kinds := []string{"book", "document", "podcast", "video"}
	var ids []string
	for i := range 24 {
		m, err := bob.CreateMedia(ctx, client.MediaInput{
			Title: fmt.Sprintf("Item %02d", i), Kind: kinds[i%4], Language: []string{"en", "de", "pt-BR"}[i%3],
			AuthorIDs: []string{author.ID}, Tags: []string{"go", fmt.Sprintf("batch-%d", i%2)}, License: "CC-BY-4.0",
		})
		must(t, err)
		if m.Status != "draft" {
			t.Fatalf("new media status = %q, want draft", m.Status)
		}
		ids = append(ids, m.ID)
	}
	// Drafts are invisible to the public until published.
	page, err := anon.ListMedia(ctx, client.MediaFilter{})
	must(t, err)
	if len(page.Items) != 0 {
		t.Fatalf("anonymous sees %d drafts", len(page.Items))
	}
	_, err = anon.GetMedia(ctx, ids[0])
	wantStatus(t, "anonymous reads a draft", err, http.StatusNotFound)
	published := "published"
	for _, id := range ids[:20] {
		m, err := bob.GetMedia(ctx, id)
		must(t, err)
		_, err = bob.UpdateMedia(ctx, id, client.MediaPatch{Status: &published}, m.ETag)
		must(t, err)
	}

	// List, filter, paginate (as the public).
	all := collect(ctx, t, anon, client.MediaFilter{ListOptions: client.ListOptions{PageSize: 7}})
	if len(all) != 20 {
		t.Fatalf("public list has %d items, want 20", len(all))
	}
	seen := map[string]bool{}
	for i, m := range all {
		if seen[m.ID] {
			t.Fatalf("item %s listed twice", m.ID)
		}
		seen[m.ID] = true
		if i > 0 && all[i-1].ID < m.ID {
			t.Fatalf("newest order broken at %d", i)
		}
	}
	videos := collect(ctx, t, anon, client.MediaFilter{Kind: "video", ListOptions: client.ListOptions{PageSize: 2}})
	if len(videos) != 5 {
		t.Fatalf("video filter: %d items, want 5", len(videos))
	}
	german := collect(ctx, t, anon, client.MediaFilter{Language: "de", Tag: "batch-1"})
	for _, m := range german {
		if m.Language != "de" {
			t.Fatalf("language filter returned %q", m.Language)
		}
	}
	byTitle := collect(ctx, t, anon, client.MediaFilter{OrderBy: "title", AuthorID: author.ID, ListOptions: client.ListOptions{PageSize: 3}})
	for i := 1; i < len(byTitle); i++ {
		if byTitle[i-1].Title > byTitle[i].Title {
			t.Fatalf("title order broken: %q before %q", byTitle[i-1].Title, byTitle[i].Title)
		}
	}
	_, err = anon.ListMedia(ctx, client.MediaFilter{ListOptions: client.ListOptions{PageSize: 1000}})
	wantStatus(t, "page_size 1000", err, http.StatusUnprocessableEntity)

	// Conditional update: the current ETag wins, a stale one is refused.
	target := ids[0]
	cur, err := alice.GetMedia(ctx, target)
	must(t, err)
	title := "Item 00, second edition"
	updated, err := alice.UpdateMedia(ctx, target, client.MediaPatch{Title: &title}, cur.ETag)
	must(t, err)
	if updated.Title != title || updated.ETag == cur.ETag {
		t.Fatalf("update: title %q etag %q (was %q)", updated.Title, updated.ETag, cur.ETag)
	}
	other := "Lost update"
	_, err = bob.UpdateMedia(ctx, target, client.MediaPatch{Title: &other}, cur.ETag)
	wantStatus(t, "stale If-Match", err, http.StatusPreconditionFailed)
	_, err = carol.UpdateMedia(ctx, target, client.MediaPatch{Title: &other}, "")
	wantStatus(t, "non-member update", err, http.StatusForbidden)

	// Soft delete hides the item from the public; the author's members and
	// moderators still see it; restore brings it back.
	must(t, bob.DeleteMedia(ctx, target))
	_, err = anon.GetMedia(ctx, target)
	wantStatus(t, "anonymous reads removed", err, http.StatusNotFound)
	_, err = carol.GetMedia(ctx, target)
	wantStatus(t, "outsider reads removed", err, http.StatusNotFound)
	removed, err := alice.GetMedia(ctx, target)
	must(t, err)
	if removed.Status != "removed" {
		t.Fatalf("removed item status %q", removed.Status)
	}
	_, err = bob.RestoreMedia(ctx, target)
	wantStatus(t, "member restores", err, http.StatusForbidden)
	restored, err := admin.RestoreMedia(ctx, target)
	must(t, err)
	if restored.Status != "published" {
		t.Fatalf("restored status %q, want published", restored.Status)
	}
	if _, err := anon.GetMedia(ctx, target); err != nil {
		t.Fatalf("restored item not public: %v", err)
	}

	// Hard delete is for admins only, and final.
	err = alice.HardDeleteMedia(ctx, ids[1])
	wantStatus(t, "author hard deletes", err, http.StatusForbidden)
	must(t, admin.HardDeleteMedia(ctx, ids[1]))
	_, err = admin.GetMedia(ctx, ids[1])
	wantStatus(t, "read hard-deleted", err, http.StatusNotFound)

	// The data and the signing keys survive a restart: an access token
	// issued before still works, and so does signing in.
	d.Restart(t)
	anon2 := client.New(d.URL(), nil)
	again, err := alice.WithBase(d.URL()).GetMedia(ctx, target)
	must(t, err)
	if again.Title != title {
		t.Fatalf("after restart title %q, want %q", again.Title, title)
	}
	after := collect(ctx, t, anon2, client.MediaFilter{})
	if len(after) != 19 {
		t.Fatalf("after restart the public sees %d items, want 19", len(after))
	}
	signIn(ctx, t, anon2, "bob@example.org", passwordOf("bob@example.org"))
}

func clientFor(base string) *client.Client { return client.New(base, nil) }

func collect(ctx context.Context, t *testing.T, c *client.Client, f client.MediaFilter) []client.Media {
	t.Helper()
	var out []client.Media
	for range 1000 {
		page, err := c.ListMedia(ctx, f)
		must(t, err)
		out = append(out, page.Items...)
		if page.NextPageToken == "" {
			return out
		}
		f.PageToken = page.NextPageToken
	}
	t.Fatal("pagination did not end")
	return nil
}

// passwordOf gives each test user a distinct password that passes the policy.
func passwordOf(email string) string { return fmt.Sprintf("quiet reading room %d", len(email)*7919) }

func registerAndSignIn(ctx context.Context, t *testing.T, anon *client.Client, email, name string) *client.Client {
	_, c := registerAndSignInUser(ctx, t, anon, email, name)
	return c
}

func registerAndSignInUser(ctx context.Context, t *testing.T, anon *client.Client, email, name string) (*client.User, *client.Client) {
	t.Helper()
	u, err := anon.Register(ctx, email, passwordOf(email), name)
	must(t, err)
	return u, signIn(ctx, t, anon, email, passwordOf(email))
}

func signIn(ctx context.Context, t *testing.T, anon *client.Client, email, password string) *client.Client {
	t.Helper()
	tok, err := anon.Login(ctx, email, password)
	must(t, err)
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("login answer incomplete: %+v", tok)
	}
	return anon.WithToken(tok.AccessToken)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantStatus(t *testing.T, what string, err error, status int) {
	t.Helper()
	var p *client.Problem
	if !errors.As(err, &p) {
		t.Fatalf("%s: want HTTP %d, got %v", what, status, err)
	}
	if p.Status != status {
		t.Fatalf("%s: want HTTP %d, got %v", what, status, p)
	}
	if p.Type == "" || p.Detail == "" {
		t.Fatalf("%s: problem document incomplete: %+v", what, p)
	}
}
