package storage

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// mintLink asks for a signed link as authz and returns the answer.
func (e *env) mintLink(authz, media string, hdr map[string]string) *http.Response {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range hdr {
		h[k] = v
	}
	return e.do(nil, http.MethodPost, "/v1/media/"+media+"/content/links", authz, strings.NewReader(`{"expires_in_seconds":3600}`), h)
}

// link mints a link as authz, expecting 201.
func (e *env) link(authz, media string) LinkJSON {
	e.t.Helper()
	var l LinkJSON
	if err := json.Unmarshal(expectStatus(e.t, e.mintLink(authz, media, nil), http.StatusCreated), &l); err != nil {
		e.t.Fatal(err)
	}
	if l.ID == "" || l.URL == "" {
		e.t.Fatalf("link %+v", l)
	}
	return l
}

// problemOf decodes a problem document, failing unless it is one.
func problemOf(t *testing.T, resp *http.Response, want int) map[string]any {
	t.Helper()
	body := expectStatus(t, resp, want)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type %q, want a problem: %s", ct, body)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSignedLinksFollowTheItemAndTheirCreator(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		uid, member := e.user()
		_, stranger := e.user()
		_, moderator := e.userWith("reader", "moderator")
		media := e.catalog.newMedia(KindDocument, "published", uid)
		data := []byte("Shared notes, plain text.\n")
		expectStatus(t, e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", member, bytes.NewReader(data), nil), http.StatusCreated)
		get := func(l LinkJSON) *http.Response { return e.do(nil, http.MethodGet, l.URL, "", nil, nil) }

		t.Run("only_members_and_moderators_mint", func(t *testing.T) {
			problemOf(t, e.mintLink(stranger, media, nil), http.StatusForbidden)
			problemOf(t, e.mintLink("", media, nil), http.StatusUnauthorized)
			if got := expectStatus(t, get(e.link(moderator, media)), http.StatusOK); !bytes.Equal(got, data) {
				t.Fatal("moderator's link serves other bytes")
			}
		})
		t.Run("unpublished_item_served_while_creator_is_a_member", func(t *testing.T) {
			mine, moderators := e.link(member, media), e.link(moderator, media)
			e.catalog.setStatus(media, "draft")
			t.Cleanup(func() { e.catalog.setStatus(media, "published") })
			if got := expectStatus(t, get(mine), http.StatusOK); !bytes.Equal(got, data) {
				t.Fatal("member's link to a draft serves other bytes")
			}
			// A moderator is no member: their link does not open a draft.
			problemOf(t, get(moderators), http.StatusNotFound)
			// The creator leaves the author: their link stops working.
			e.catalog.setMembers(media)
			t.Cleanup(func() { e.catalog.setMembers(media, uid) })
			problemOf(t, get(mine), http.StatusNotFound)
		})
		t.Run("removed_item_answers_gone_and_gets_no_new_links", func(t *testing.T) {
			l := e.link(member, media)
			e.catalog.setStatus(media, "removed")
			t.Cleanup(func() { e.catalog.setStatus(media, "published") })
			problemOf(t, get(l), http.StatusGone)
			problemOf(t, e.mintLink(member, media, nil), http.StatusForbidden)
			problemOf(t, e.mintLink(moderator, media, nil), http.StatusForbidden)
		})
		t.Run("links_are_listed_and_revoked", func(t *testing.T) {
			l := e.link(member, media)
			linksPath := "/v1/media/" + media + "/links"
			problemOf(t, e.do(nil, http.MethodGet, linksPath, stranger, nil, nil), http.StatusForbidden)
			problemOf(t, e.do(nil, http.MethodDelete, linksPath+"/"+l.ID, stranger, nil, nil), http.StatusForbidden)
			expectStatus(t, get(l), http.StatusOK)
			expectStatus(t, e.do(nil, http.MethodDelete, linksPath+"/"+l.ID, member, nil, nil), http.StatusNoContent)
			p := problemOf(t, get(l), http.StatusGone)
			if !strings.Contains(p["detail"].(string), "revoked") {
				t.Errorf("revoked link answered %v", p)
			}
			// Revoking twice changes nothing; an unknown link is 404.
			expectStatus(t, e.do(nil, http.MethodDelete, linksPath+"/"+l.ID, moderator, nil, nil), http.StatusNoContent)
			problemOf(t, e.do(nil, http.MethodDelete, linksPath+"/0190e5a4-0000-7000-8000-000000000000", member, nil, nil), http.StatusNotFound)
			var list struct{ Links []LinkJSON }
			if err := json.Unmarshal(expectStatus(t, e.do(nil, http.MethodGet, linksPath, moderator, nil, nil), http.StatusOK), &list); err != nil {
				t.Fatal(err)
			}
			var found *LinkJSON
			for i := range list.Links {
				if list.Links[i].URL != "" {
					t.Errorf("listed link carries its URL: %+v", list.Links[i])
				}
				if list.Links[i].ID == l.ID {
					found = &list.Links[i]
				}
			}
			if found == nil || found.RevokedAt == nil || found.CreatedBy != uid {
				t.Fatalf("revoked link listed as %+v in %+v", found, list.Links)
			}
		})
		t.Run("a_link_cannot_be_moved_to_another_record", func(t *testing.T) {
			a, b := e.link(member, media), e.link(member, media)
			ua, _ := url.Parse(a.URL)
			q := ua.Query()
			q.Set("link", b.ID)
			problemOf(t, e.do(nil, http.MethodGet, e.url+ua.Path+"?"+q.Encode(), "", nil, nil), http.StatusForbidden)
		})
	})
}

func TestLinksAndUploadLocationsIgnoreForwardedHostsUnlessTrusted(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	forged := map[string]string{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
		"Forwarded": "host=evil.example;proto=https"}
	for _, tc := range []struct {
		name, publicURL, wantPrefix string
	}{
		{name: "request_host_without_public_url"},
		{name: "configured_public_url_wins", publicURL: "https://books.example/", wantPrefix: "https://books.example/v1/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s, "", func(c *Config) { c.PublicURL = tc.publicURL })
			want := tc.wantPrefix
			if want == "" {
				want = e.url + "/v1/"
			}
			uid, authz := e.user()
			media := e.catalog.newMedia(KindDocument, "published", uid)
			expectStatus(t, e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", authz, strings.NewReader("hello\n"), nil), http.StatusCreated)
			var l LinkJSON
			if err := json.Unmarshal(expectStatus(t, e.mintLink(authz, media, forged), http.StatusCreated), &l); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(l.URL, want) {
				t.Errorf("link %q, want it under %q", l.URL, want)
			}
			hdr := map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": tusMeta("media_id", media)}
			for k, v := range forged {
				hdr[k] = v
			}
			resp := e.do(nil, http.MethodPost, "/v1/uploads", authz, nil, hdr)
			expectStatus(t, resp, http.StatusCreated)
			if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, want+"uploads/") {
				t.Errorf("tus Location %q, want it under %q", loc, want+"uploads/")
			}
		})
	}
}
