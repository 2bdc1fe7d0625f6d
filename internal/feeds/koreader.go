package feeds

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5" //nolint:gosec // KOReader names documents and keys by MD5; it protects nothing here
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// The KOReader sync server protocol (the kosync plugin) under /koreader,
// mapped onto engagement's progress API. A user links a device once:
//
//	curl -u you@example.com:alx_TOKEN -X PUT https://…/koreader/link
//
// with a personal API token that may read and write (engagement is called
// with it); then signs in in KOReader with the same e-mail and token.
// KOReader sends the MD5 of what was typed as its key, which is why the
// link is made here first: /users/create only confirms a linked account.
// Documents are matched by KOReader's partial MD5 of the file, computed
// here for every listed book and document (runKOReaderHasher).

const koreaderRoot = "/koreader"

// koreaderScope is the API token scope engagement needs to save progress.
const koreaderScope = "write"

func (s *Service) registerKOReader(mux *http.ServeMux) {
	mux.HandleFunc("PUT "+koreaderRoot+"/link", s.koreaderLink)
	mux.HandleFunc("POST "+koreaderRoot+"/users/create", s.koreaderCreate)
	mux.HandleFunc("GET "+koreaderRoot+"/users/auth", s.koreaderAuth)
	mux.HandleFunc("PUT "+koreaderRoot+"/syncs/progress", s.koreaderPut)
	mux.HandleFunc("GET "+koreaderRoot+"/syncs/progress/{document}", s.koreaderGet)
	mux.HandleFunc("GET "+koreaderRoot+"/healthcheck", func(w http.ResponseWriter, _ *http.Request) {
		writeKOReader(w, http.StatusOK, map[string]string{"state": "OK"})
	})
}

// userKey is what KOReader sends for a password: its MD5, in hex.
func userKey(password string) string {
	sum := md5.Sum([]byte(password)) //nolint:gosec // see import
	return hex.EncodeToString(sum[:])
}

// koreaderLink is PUT /koreader/link, with HTTP Basic e-mail and API token.
func (s *Service) koreaderLink(w http.ResponseWriter, r *http.Request) {
	email, token, ok := r.BasicAuth()
	if !ok || email == "" || token == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Alexandria KOReader", charset="UTF-8"`)
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, errs.Unauthenticatedf("send your e-mail and a personal API token (read and write) with HTTP Basic")))
		return
	}
	userID, err := s.basic.verify(r.Context(), email, token, koreaderScope)
	if err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	sealed, err := s.seal(token)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	l := koreaderLink{Username: domain.Fold(email), UserKey: userKey(token), UserID: userID, Token: sealed, CreatedAt: time.Now().UTC()}
	if err := s.store.PutKOReaderLink(r.Context(), l); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "KOReader device account linked", slog.String("user_id", userID))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]string{"username": l.Username,
		"message": "Linked: sign in in KOReader's progress sync with this e-mail and the same API token, server " + koreaderRoot})
}

// koreaderCreate is POST /koreader/users/create: accounts are Alexandria's,
// so registering only confirms an account linked at /koreader/link.
func (s *Service) koreaderCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.Username == "" || in.Password == "" {
		httpx.WriteProblem(w, r, errs.InvalidField("body", "send username and password"))
		return
	}
	_, ok, err := s.store.KOReaderLink(r.Context(), domain.Fold(in.Username), strings.ToLower(in.Password))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if !ok {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, errs.Forbiddenf(
			"accounts are made on Alexandria: link this device first (PUT %s/link with your e-mail and API token), then sign in", koreaderRoot)))
		return
	}
	writeKOReader(w, http.StatusCreated, map[string]string{"username": domain.Fold(in.Username)})
}

// koreaderUser authenticates x-auth-user and x-auth-key.
func (s *Service) koreaderUser(r *http.Request) (koreaderLink, error) {
	user, key := r.Header.Get("x-auth-user"), strings.ToLower(r.Header.Get("x-auth-key"))
	if user == "" || key == "" {
		return koreaderLink{}, errs.Unauthenticatedf("send x-auth-user and x-auth-key")
	}
	l, ok, err := s.store.KOReaderLink(r.Context(), domain.Fold(user), key)
	if err != nil {
		return koreaderLink{}, err
	}
	if !ok {
		return koreaderLink{}, errs.Unauthenticatedf("unknown user or key: link the device at %s/link", koreaderRoot)
	}
	return l, nil
}

// koreaderAuth is GET /koreader/users/auth.
func (s *Service) koreaderAuth(w http.ResponseWriter, r *http.Request) {
	if _, err := s.koreaderUser(r); err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	writeKOReader(w, http.StatusOK, map[string]string{"authorized": "OK"})
}

// koreaderProgress is KOReader's progress document.
type koreaderProgress struct {
	Document   string  `json:"document"`
	Progress   string  `json:"progress"`
	Percentage float64 `json:"percentage"`
	Device     string  `json:"device"`
	DeviceID   string  `json:"device_id"`
	Timestamp  int64   `json:"timestamp,omitempty"`
}

var (
	documentHash = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	// docFragment is the spine position in a CRengine XPointer.
	docFragment = regexp.MustCompile(`^/body/DocFragment\[(\d+)\]`)
)

// koreaderPut is PUT /koreader/syncs/progress.
func (s *Service) koreaderPut(w http.ResponseWriter, r *http.Request) {
	l, err := s.koreaderUser(r)
	if err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	var in koreaderProgress
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<10))
	if err := dec.Decode(&in); err != nil {
		httpx.WriteProblem(w, r, errs.InvalidField("body", "must be a KOReader progress document"))
		return
	}
	var v errs.Validation
	v.Check(documentHash.MatchString(in.Document), "body.document", "must be the document's MD5 (32 hex digits)")
	v.Check(in.Percentage >= 0 && in.Percentage <= 1 && !math.IsNaN(in.Percentage), "body.percentage", "must be between 0 and 1")
	v.Check(len(in.Progress) <= 1000, "body.progress", "must be at most 1000 characters")
	v.Check(len(in.Device) <= 100, "body.device", "must be at most 100 characters")
	if err := v.Err(); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	m, err := s.koreaderDocument(r.Context(), in.Document)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	body := map[string]any{"device": cmpOr(in.Device, "KOReader"), "client_time": time.Now().UTC()}
	pages := 0
	if m.Content.Pages != nil {
		pages = *m.Content.Pages
	}
	page := 0
	if n, err := strconv.Atoi(in.Progress); err == nil {
		page = n // paged documents (PDF): the page number
	} else if sm := docFragment.FindStringSubmatch(in.Progress); sm != nil {
		page, _ = strconv.Atoi(sm[1]) // EPUB: the spine document
	}
	if pages < 1 {
		pages = 1
	}
	body["page"], body["pages"] = max(1, min(page, pages)), pages
	if page == 0 {
		body["page"] = max(1, min(pages, int(math.Ceil(in.Percentage*float64(pages)))))
	}
	if _, err := s.engagement(r.Context(), l, http.MethodPut, "/v1/users/me/progress/"+url.PathEscape(m.ID), body); err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	writeKOReader(w, http.StatusOK, map[string]any{"document": in.Document, "timestamp": time.Now().Unix()})
}

// koreaderGet is GET /koreader/syncs/progress/{document}.
func (s *Service) koreaderGet(w http.ResponseWriter, r *http.Request) {
	l, err := s.koreaderUser(r)
	if err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	doc := r.PathValue("document")
	if !documentHash.MatchString(doc) {
		httpx.WriteProblem(w, r, errs.InvalidField("path.document", "must be the document's MD5 (32 hex digits)"))
		return
	}
	m, err := s.koreaderDocument(r.Context(), doc)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var found *engagementProgress
	for _, state := range []string{"in_progress", "finished"} {
		b, err := s.engagement(r.Context(), l, http.MethodGet, "/v1/users/me/progress?state="+state, nil)
		if err != nil {
			httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
			return
		}
		var list struct {
			Items []engagementProgress `json:"items"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			httpx.WriteProblem(w, r, fmt.Errorf("engagement answer: %w", err))
			return
		}
		for i := range list.Items {
			if list.Items[i].MediaID == m.ID {
				found = &list.Items[i]
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil {
		// kosync answers an empty object for a document never synced.
		writeKOReader(w, http.StatusOK, map[string]any{})
		return
	}
	out := koreaderProgress{Document: doc, Percentage: found.Percent / 100, Device: found.Device, DeviceID: found.Device,
		Timestamp: found.ClientTime.Unix()}
	switch {
	case found.Page != nil && domain.AcquisitionType(m.Content.ContentType) == "application/epub+zip":
		out.Progress = fmt.Sprintf("/body/DocFragment[%d]/body", *found.Page)
	case found.Page != nil:
		out.Progress = strconv.Itoa(*found.Page)
	}
	writeKOReader(w, http.StatusOK, out)
}

// engagementProgress is the part of engagement's progress the sync reads.
type engagementProgress struct {
	MediaID    string    `json:"media_id"`
	Page       *int      `json:"page"`
	Pages      *int      `json:"pages"`
	Percent    float64   `json:"percent"`
	Device     string    `json:"device"`
	ClientTime time.Time `json:"client_time"`
}

// koreaderDocument finds the listed book or document KOReader means.
func (s *Service) koreaderDocument(ctx context.Context, hash string) (domain.Media, error) {
	m, ok, err := s.store.MediaByDocument(ctx, strings.ToLower(hash))
	if err != nil {
		return domain.Media{}, err
	}
	if !ok || m.Content == nil {
		return domain.Media{}, errs.NotFoundf("no book or document here has this file (KOReader's partial MD5 %s)", hash)
	}
	return m, nil
}

// engagement calls engagement's API as the linked user; 503 when
// engagement is not configured or not answering.
func (s *Service) engagement(ctx context.Context, l koreaderLink, method, path string, body any) ([]byte, error) {
	if s.cfg.EngagementURL == "" {
		return nil, errs.New(errs.Unavailable, "progress sync needs the engagement target (feeds.engagement_url)")
	}
	token, err := s.unseal(l.Token)
	if err != nil {
		return nil, errs.Unauthenticatedf("the link is unreadable (the deployment's service key changed): link the device again")
	}
	access, err := s.basic.exchange(ctx, token)
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(s.cfg.EngagementURL, "/")+path, rd) //nolint:gosec // configured host
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "engagement is not answering")
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "engagement answer cut short")
	}
	switch {
	case res.StatusCode == http.StatusOK:
		return b, nil
	case res.StatusCode == http.StatusNotFound && method == http.MethodPut:
		return nil, errs.NotFoundf("engagement does not know this item yet; retry shortly")
	case res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusUnprocessableEntity:
		return nil, errs.InvalidField("body", "engagement refused the position: %s", strings.TrimSpace(string(b)))
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return nil, errs.Forbiddenf("the linked API token may not save progress (it needs read and write)")
	}
	return nil, errs.New(errs.Unavailable, "engagement answered %d", res.StatusCode)
}

func writeKOReader(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// seal encrypts a linked API token at rest with a key derived from the
// deployment's service key.
func (s *Service) seal(token string) (string, error) {
	gcm, err := s.sealer()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(token), nil)), nil
}

func (s *Service) unseal(sealed string) (string, error) {
	gcm, err := s.sealer()
	if err != nil {
		return "", err
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < gcm.NonceSize() {
		return "", errors.New("sealed token unreadable")
	}
	out, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], nil)
	return string(out), err
}

func (s *Service) sealer() (cipher.AEAD, error) {
	key := sha256.Sum256([]byte("alexandria feeds koreader link|" + s.serviceKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// partialMD5 is KOReader's document fingerprint: the MD5 of 1 KiB samples
// at offsets 0, 1 KiB, 4 KiB, 16 KiB, … (times four each time, up to 1 GiB),
// stopping at the first offset past the end of the file.
func partialMD5(size int64, read func(off, n int64) ([]byte, error)) (string, error) {
	h := md5.New() //nolint:gosec // see import
	for i := -1; i <= 10; i++ {
		var off int64
		if i >= 0 {
			off = 1024 << (2 * i)
		}
		if off >= size {
			break
		}
		b, err := read(off, min(1024, size-off))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// runKOReaderHasher computes the partial MD5 of every listed book and
// document's file, reading the samples with range requests at the content
// URL, whenever the read model changes.
func (s *Service) runKOReaderHasher(ctx context.Context) error {
	for {
		if err := s.hashPending(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "KOReader document fingerprints: will retry", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.hashWake:
		case <-time.After(time.Minute):
		}
	}
}

func (s *Service) hashPending(ctx context.Context) error {
	if s.contentURL == "" {
		return nil
	}
	for {
		files, err := s.store.UnhashedFiles(ctx)
		if err != nil {
			return err
		}
		var failed error
		done := 0
		for _, f := range files {
			sum, err := partialMD5(f.Size, func(off, n int64) ([]byte, error) { return s.readRange(ctx, f.MediaID, off, n) })
			if err != nil {
				failed = errors.Join(failed, fmt.Errorf("media %s: %w", f.MediaID, err))
				continue
			}
			if err := s.store.PutDocumentHash(ctx, f, sum, time.Now().UTC()); err != nil {
				return err
			}
			done++
		}
		// A full batch with progress: there may be more; files that keep
		// failing are left for the next wake-up.
		if failed != nil || done == 0 || len(files) < unhashedBatch {
			return failed
		}
	}
}

func (s *Service) readRange(ctx context.Context, mediaID string, off, n int64) ([]byte, error) {
	u := s.contentURL + "/v1/media/" + url.PathEscape(mediaID) + "/content"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // configured host, UUID path
	if err != nil {
		return nil, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusPartialContent {
		return nil, fmt.Errorf("range %d+%d answered %d", off, n, res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, n+1))
	if err != nil || int64(len(b)) != n {
		if err != nil {
			return nil, fmt.Errorf("range %d+%d: %w", off, n, err)
		}
		return nil, fmt.Errorf("range %d+%d: %d bytes", off, n, len(b))
	}
	return b, nil
}
