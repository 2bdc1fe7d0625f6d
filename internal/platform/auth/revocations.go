package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Access tokens are verified locally and live for minutes. So that a
// suspension, a deletion, a role removal or the end of a session takes
// effect at once on every target, each process keeps a small in-memory
// revocation list that every verification consults: identity writes a
// revocation in the same transaction as the change, and every process
// follows identity's revocation feed (a few times a second) into its list.
// An entry is needed only while a token issued before it can still be
// valid, so entries expire with the longest access-token lifetime.

// Revocation reasons.
const (
	RevokedSuspended = "suspended"
	RevokedDeleted   = "deleted"
	RevokedRoles     = "roles"
	RevokedSession   = "session"
)

// Revocation is one entry of identity's revocation feed. Either SessionID
// is set (the tokens of that sign-in session are refused) or MinVersion is:
// the user's tokens issued at an account version below it are refused, or,
// for a role removal (reason "roles"), keep only the roles in Roles, which
// the account holds since.
type Revocation struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	SessionID  string    `json:"session_id,omitempty"`
	MinVersion int64     `json:"min_version,omitempty"`
	Roles      []string  `json:"roles,omitempty"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type userCut struct {
	// Tokens below minVersion are refused for reason.
	minVersion int64
	reason     string
	// Tokens below rolesVersion keep only the roles in roles.
	rolesVersion int64
	roles        []string
	expires      time.Time
}

// Revocations is the in-memory revocation list of a process. It is safe
// for concurrent use; the check on each request takes a read lock and two
// map lookups.
type Revocations struct {
	mu       sync.RWMutex
	users    map[string]userCut
	sessions map[string]time.Time
	now      func() time.Time
	nextGC   time.Time
}

// NewRevocations returns an empty list.
func NewRevocations() *Revocations {
	return &Revocations{users: map[string]userCut{}, sessions: map[string]time.Time{}, now: time.Now}
}

// Add records revocations; adding one again is harmless.
func (r *Revocations) Add(rs ...Revocation) {
	if len(rs) == 0 {
		return
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range rs {
		if !v.ExpiresAt.After(now) || v.UserID == "" {
			continue
		}
		if v.SessionID != "" {
			if v.ExpiresAt.After(r.sessions[v.SessionID]) {
				r.sessions[v.SessionID] = v.ExpiresAt
			}
			continue
		}
		cur := r.users[v.UserID]
		switch {
		case v.Reason == RevokedRoles:
			if v.MinVersion > cur.rolesVersion {
				cur.rolesVersion, cur.roles = v.MinVersion, slices.Clone(v.Roles)
			}
		case v.MinVersion > cur.minVersion:
			cur.minVersion, cur.reason = v.MinVersion, v.Reason
		}
		if v.ExpiresAt.After(cur.expires) {
			cur.expires = v.ExpiresAt
		}
		r.users[v.UserID] = cur
	}
	if now.After(r.nextGC) {
		r.gc(now)
		r.nextGC = now.Add(time.Minute)
	}
}

// gc drops expired entries; the caller holds the write lock.
func (r *Revocations) gc(now time.Time) {
	for k, c := range r.users {
		if !c.expires.After(now) {
			delete(r.users, k)
		}
	}
	for k, e := range r.sessions {
		if !e.After(now) {
			delete(r.sessions, k)
		}
	}
}

// Len reports the entries held (users and sessions).
func (r *Revocations) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.users) + len(r.sessions)
}

// Check returns an error if p's token was revoked, or p with the roles the
// account has lost since the token was issued taken away.
func (r *Revocations) Check(p Principal) (Principal, error) {
	if r == nil {
		return p, nil
	}
	now := r.now()
	r.mu.RLock()
	cut, userHit := r.users[p.UserID]
	var sessionEnd time.Time
	sessionHit := false
	if p.SessionID != "" {
		sessionEnd, sessionHit = r.sessions[p.SessionID]
	}
	r.mu.RUnlock()
	// The account before the session: a suspension also ends the sessions,
	// and 403 says why.
	userHit = userHit && cut.expires.After(now)
	if userHit && p.Version < cut.minVersion {
		switch cut.reason {
		case RevokedSuspended:
			return Principal{}, errs.Forbiddenf("the account of this token is suspended")
		case RevokedDeleted:
			return Principal{}, errs.Unauthenticatedf("access token rejected: the account no longer exists")
		}
		return Principal{}, errs.Unauthenticatedf("access token rejected: revoked")
	}
	if sessionHit && sessionEnd.After(now) {
		return Principal{}, errs.Unauthenticatedf("access token rejected: this session has ended (signed out or revoked); sign in again")
	}
	if userHit && p.Version < cut.rolesVersion {
		// cut.roles is never modified after Add; the principal gets a copy.
		p.Roles = slices.DeleteFunc(slices.Clone(p.Roles), func(role string) bool { return !slices.Contains(cut.roles, role) })
	}
	return p, nil
}

// RevocationFeed yields the revocations recorded after since that have not
// expired, oldest first, at most limit of them.
type RevocationFeed interface {
	RevocationsSince(ctx context.Context, since time.Time, limit int) ([]Revocation, error)
}

// Follower keeps a Revocations list up to date from a feed.
type Follower struct {
	list *Revocations
	feed RevocationFeed
	log  *slog.Logger

	mu    sync.Mutex
	since time.Time
	kick  chan struct{}
}

// FollowOverlap is how far back each poll looks again before the newest
// entry seen: a transaction that committed late with an earlier time is
// still picked up. Entries seen twice are harmless.
const FollowOverlap = 5 * time.Second

// FollowInterval is how often a follower polls its feed.
const FollowInterval = 300 * time.Millisecond

const followPage = 1000

// NewFollower follows feed into list.
func NewFollower(list *Revocations, feed RevocationFeed, log *slog.Logger) *Follower {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Follower{list: list, feed: feed, log: log, kick: make(chan struct{}, 1)}
}

// Poll reads the feed once (page after page) into the list.
func (f *Follower) Poll(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		rs, err := f.feed.RevocationsSince(ctx, f.since, followPage)
		if err != nil {
			return err
		}
		f.list.Add(rs...)
		newest := f.since
		for _, r := range rs {
			if r.At.After(newest) {
				newest = r.At
			}
		}
		if len(rs) < followPage {
			if back := newest.Add(-FollowOverlap); back.After(f.since) {
				f.since = back
			}
			return nil
		}
		if !newest.After(f.since) {
			return errors.New("revocation feed: a full page without progress")
		}
		f.since = newest
	}
}

// Kick asks the running follower to poll now.
func (f *Follower) Kick() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// Run polls every interval (or when kicked) until ctx ends. Failures are
// logged and retried: the list keeps what it has.
func (f *Follower) Run(interval time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		failing := false
		for {
			if err := f.Poll(ctx); err != nil && ctx.Err() == nil {
				if !failing {
					f.log.WarnContext(ctx, "cannot read the revocation feed; retrying", slog.Any("error", err))
				}
				failing = true
			} else if failing && ctx.Err() == nil {
				f.log.InfoContext(ctx, "revocation feed readable again")
				failing = false
			}
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
			case <-f.kick:
			}
		}
	}
}

// RevocationsPath is identity's revocation feed route.
const RevocationsPath = "/v1/internal/revocations"

// ServiceKeyHeader carries the deployment's service key between services.
const ServiceKeyHeader = "X-Alexandria-Service-Key"

// HTTPFeed reads identity's revocation feed over HTTP with the service key.
type HTTPFeed struct {
	URL    string // identity's base URL
	Key    string
	Client *http.Client
}

// RevocationsSince implements RevocationFeed.
func (h HTTPFeed) RevocationsSince(ctx context.Context, since time.Time, limit int) ([]Revocation, error) {
	q := url.Values{"since": {since.UTC().Format(time.RFC3339Nano)}, "limit": {fmt.Sprint(limit)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+RevocationsPath+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(ServiceKeyHeader, h.Key)
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("revocation feed: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("revocation feed: %s", res.Status)
	}
	var body struct {
		Revocations []Revocation `json:"revocations"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 16<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("revocation feed: %w", err)
	}
	return body.Revocations, nil
}
