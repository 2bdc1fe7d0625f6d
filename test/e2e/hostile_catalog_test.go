package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// Findings of a hostile review of the running binary, catalog's part: they
// must stay fixed.

// TestSimultaneousUploadsSettleOnTheLastFile: eight simultaneous uploads to
// one item, three times over. Each time the item leaves processing, back
// in the status it had (a draft stays a draft: processing never publishes),
// with the findings of the file storage recorded last — the one downloads
// serve. It used to stay in processing forever when the job of that file
// was superseded by a job of a file recorded earlier, and when processing's
// report on the last file reached catalog before storage's report of it
// (they travel on different topics).
func TestSimultaneousUploadsSettleOnTheLastFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, _, admin, tok := adminOnNewInstance(ctx, t)
	base := d.URL()
	bearer := "Bearer " + tok.AccessToken
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Racing uploads"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Notes", Kind: "document", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)

	for round := range 3 {
		const uploads = 8
		sums := map[string]bool{}
		var wg sync.WaitGroup
		statuses := make([]int, uploads)
		for i := range uploads {
			body := []byte(fmt.Sprintf("Round %d, upload %d: plain text notes.\n", round, i))
			sum := sha256.Sum256(body)
			sums[hex.EncodeToString(sum[:])] = true
			wg.Go(func() {
				resp := tusRequest(t, http.MethodPut, base+"/v1/media/"+m.ID+"/content", map[string]string{
					"Authorization": bearer, "Content-Type": "text/plain"}, body)
				statuses[i] = resp.StatusCode
				_ = readAll(resp)
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusCreated {
				t.Fatalf("round %d: upload %d answered %d", round, i, s)
			}
		}
		// Storage serves the file it recorded last; catalog must settle on it.
		dl := tusRequest(t, http.MethodGet, base+"/v1/media/"+m.ID+"/content", map[string]string{"Authorization": bearer}, nil)
		sum := sha256.Sum256([]byte(readAll(dl)))
		served := hex.EncodeToString(sum[:])
		if dl.StatusCode != http.StatusOK || !sums[served] {
			t.Fatalf("round %d: storage serves %s (%d), not one of the uploads", round, served, dl.StatusCode)
		}
		var item map[string]any
		deadline := time.Now().Add(90 * time.Second)
		for {
			item = getJSON(t, base+"/v1/media/"+m.ID, bearer)
			content, _ := item["content"].(map[string]any)
			if item["status"] != "processing" && content != nil && content["sha256"] == served {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: after %d simultaneous uploads the item is %v (%v) describing %v; storage serves %s",
					round, uploads, item["status"], item["status_reason"], content, served)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if item["status"] != "draft" {
			t.Fatalf("round %d: after processing the draft is %v (%v)", round, item["status"], item["status_reason"])
		}
	}

	// A member publishes explicitly; then anyone downloads.
	current, err := admin.GetMedia(ctx, m.ID)
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, current.ETag)
	must(t, err)
	if dl := tusRequest(t, http.MethodGet, base+"/v1/media/"+m.ID+"/content", nil, nil); dl.StatusCode != http.StatusOK {
		t.Fatalf("anonymous download of the published item: %d", dl.StatusCode)
	}
}

// TestOnlyOwnersRemoveAnAuthor: a plain member can neither remove the author
// nor edit its profile; an owner's removal its owners undo; a moderator's
// removal only moderators undo.
func TestOnlyOwnersRemoveAnAuthor(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json"})
	anon := client.New(d.URL(), nil)
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)
	ownerUser, _ := registerAndSignInUser(ctx, t, anon, "owner@example.org", "Owner")
	memberUser, member := registerAndSignInUser(ctx, t, anon, "member@example.org", "Member")
	_, err := admin.UpdateUser(ctx, ownerUser.ID, client.UserPatch{Roles: []string{"reader", "author"}})
	must(t, err)
	owner := signIn(ctx, t, anon, "owner@example.org", passwordOf("owner@example.org"))
	author, err := owner.CreateAuthor(ctx, client.AuthorInput{Name: "Kept"})
	must(t, err)
	_, err = owner.AddMember(ctx, author.ID, memberUser.ID, "member")
	must(t, err)

	wantStatus(t, "a member removes the author", member.DeleteAuthor(ctx, author.ID), http.StatusForbidden)
	bio := "taken over"
	_, err = member.UpdateAuthor(ctx, author.ID, client.AuthorPatch{Bio: &bio}, "")
	wantStatus(t, "a member edits the profile", err, http.StatusForbidden)

	must(t, owner.DeleteAuthor(ctx, author.ID))
	_, err = member.RestoreAuthor(ctx, author.ID)
	wantStatus(t, "a member restores the author", err, http.StatusForbidden)
	restored, err := owner.RestoreAuthor(ctx, author.ID)
	must(t, err)
	if restored.Status != "active" {
		t.Fatalf("restored by its owner: %q", restored.Status)
	}

	must(t, admin.DeleteAuthor(ctx, author.ID))
	_, err = owner.RestoreAuthor(ctx, author.ID)
	wantStatus(t, "an owner undoes a moderator's removal", err, http.StatusForbidden)
	_, err = admin.RestoreAuthor(ctx, author.ID)
	must(t, err)
}
