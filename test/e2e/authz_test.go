package e2e

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The authorisation matrix: every operation of /openapi.json, called by
// every kind of caller on resources that belong to someone else (the
// "owner" actor and the author it owns), compared with the declared table
// in authz_matrix_test.go. docs/reliability.md explains how to add a row.

// authzActors are the callers, in the order the report prints them.
var authzActors = []string{
	"anonymous", "reader", "author", "member", "owner", "moderator", "admin", "suspended",
	"token:read", "token:write", "token:admin", "token:progress:write", "token:feeds:read",
}

// authzActor is one caller.
type authzActor struct {
	name            string
	email, password string
	userID          string
	token           string // access token; empty: anonymous
	apiToken        string // personal API token secret (token:* actors)
}

// authzLab is the running instance, its callers and its fixtures.
type authzLab struct {
	t      *testing.T
	base   string
	admin  *authzActor
	actors map[string]*authzActor
	// fx holds the IDs of the seeded fixtures by name (author, media, ...).
	fx   map[string]string
	hook *authzHookSink
	// extra is an account the per-call fixtures add as a member; signer
	// is the account sign-in operations sign in.
	extra, signer *authzActor
	seq           atomic.Int64
}

// authzHookSink answers webhook deliveries with 200.
type authzHookSink struct {
	srv  *httptest.Server
	hits atomic.Int64
}

// authzAnswer is one HTTP answer.
type authzAnswer struct {
	status int
	body   []byte
	header http.Header
}

// json decodes the answer's body as an object.
func (a authzAnswer) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(a.body, &m)
	return m
}

func (a authzAnswer) str(key string) string {
	v, _ := a.json()[key].(string)
	return v
}

// do sends one request; body is marshalled as JSON unless it is a string.
func (l *authzLab) do(method, path, token string, body any, header map[string]string) authzAnswer {
	l.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		must(l.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(l.t.Context(), method, l.base+path, rd)
	must(l.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Do(req)
	must(l.t, err)
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// A stream (notification-stream) does not end: its status and
		// headers are the answer.
		return authzAnswer{status: resp.StatusCode, header: resp.Header}
	}
	b, _ := io.ReadAll(resp.Body)
	return authzAnswer{status: resp.StatusCode, body: b, header: resp.Header}
}

// must2xx sends a seeding request that has to succeed.
func (l *authzLab) must2xx(what, method, path, token string, body any) authzAnswer {
	l.t.Helper()
	a := l.do(method, path, token, body, nil)
	if a.status < 200 || a.status > 299 {
		l.t.Fatalf("seed %s: %s %s → %d %s", what, method, path, a.status, a.body)
	}
	return a
}

// eventually retries a seeding request until it succeeds (read models
// learn of new authors and media through events).
func (l *authzLab) eventually(what, method, path, token string, body any) authzAnswer {
	l.t.Helper()
	var a authzAnswer
	for range 200 {
		a = l.do(method, path, token, body, nil)
		if a.status >= 200 && a.status <= 299 {
			return a
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.t.Fatalf("seed %s: %s %s → %d %s", what, method, path, a.status, a.body)
	return a
}

// unique returns a string no earlier call returned.
func (l *authzLab) unique(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, l.seq.Add(1))
}

// signIn signs a password actor in and keeps the new access token.
func (l *authzLab) signIn(a *authzActor) {
	l.t.Helper()
	tok := l.must2xx("sign in "+a.name, "POST", "/v1/auth/token", "", map[string]any{"email": a.email, "password": a.password})
	a.token = tok.str("access_token")
}

// exchange swaps a token actor's API token for a new access token.
func (l *authzLab) exchange(a *authzActor) {
	l.t.Helper()
	tok := l.must2xx("exchange "+a.name, "POST", "/v1/auth/token", "", map[string]any{"api_token": a.apiToken})
	a.token = tok.str("access_token")
}

// renew gives an actor a fresh access token (after an operation that may
// have ended its sessions).
func (l *authzLab) renew(a *authzActor) {
	l.t.Helper()
	switch {
	case a.apiToken != "":
		l.exchange(a)
	case a.email != "" && a.name != "suspended":
		l.signIn(a)
	}
}

// newUser registers an account with roles and signs it in.
func (l *authzLab) newUser(name string, roles ...string) *authzActor {
	l.t.Helper()
	email := l.unique(strings.ReplaceAll(name, ":", "-")+"-") + "@authz.test"
	a := &authzActor{name: name, email: email, password: passwordOf(email)}
	u := l.must2xx("register "+name, "POST", "/v1/users", "", map[string]any{"email": email, "password": a.password, "display_name": name})
	a.userID = u.str("id")
	if len(roles) > 0 {
		l.must2xx("roles of "+name, "PATCH", "/v1/users/"+a.userID, l.admin.token, map[string]any{"roles": roles})
	}
	l.signIn(a)
	return a
}

// vapidKeys makes a P-256 key pair in the encoding notify reads.
func vapidKeys(t *testing.T) (public, private string) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	must(t, err)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(k.PublicKey().Bytes()), enc.EncodeToString(k.Bytes())
}

// newAuthzLab starts an all-in-one binary on SQLite and seeds the callers
// and the owner's resources.
func newAuthzLab(t *testing.T) *authzLab {
	sink := &authzHookSink{}
	sink.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sink.hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(sink.srv.Close)
	pub, priv := vapidKeys(t)
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_IDENTITY_LOGIN_RATE_PER_ADDRESS=100000", "ALEXANDRIA_IDENTITY_SIGNUP_RATE_PER_ADDRESS=100000",
		"ALEXANDRIA_NOTIFY_WEBHOOK_ALLOW=127.0.0.1/32", "ALEXANDRIA_NOTIFY_POLL_INTERVAL=50ms", "ALEXANDRIA_NOTIFY_FANOUT_DELAY=10ms",
		"ALEXANDRIA_NOTIFY_VAPID_PUBLIC_KEY=" + pub, "ALEXANDRIA_NOTIFY_VAPID_PRIVATE_KEY=" + priv,
		"ALEXANDRIA_ENGAGEMENT_VIEW_FLUSH_INTERVAL=50ms", "ALEXANDRIA_NOTIFY_UNSUBSCRIBE_KEY=" + authzUnsubscribeKey,
		"ALEXANDRIA_IDENTITY_WEBAUTHN_RP_ID=localhost", "ALEXANDRIA_IDENTITY_WEBAUTHN_ORIGINS=http://localhost"})
	l := &authzLab{t: t, base: d.URL(), actors: map[string]*authzActor{}, fx: map[string]string{}, hook: sink}
	l.admin = &authzActor{name: "admin", email: adminEmail, password: adminPassword}
	l.signIn(l.admin)
	me := l.must2xx("admin me", "GET", "/v1/users/me", l.admin.token, nil)
	l.admin.userID = me.str("id")
	l.actors["anonymous"] = &authzActor{name: "anonymous"}
	l.actors["admin"] = l.admin
	l.actors["reader"] = l.newUser("reader")
	l.actors["author"] = l.newUser("author", "reader", "author")
	l.actors["member"] = l.newUser("member", "reader", "author")
	l.actors["owner"] = l.newUser("owner", "reader", "author")
	l.actors["moderator"] = l.newUser("moderator", "reader", "moderator")
	for _, scope := range []string{"read", "write", "admin", "progress:write", "feeds:read"} {
		name := "token:" + scope
		tok := l.must2xx("api token "+scope, "POST", "/v1/users/me/tokens", l.admin.token,
			map[string]any{"name": name, "scopes": []string{scope}})
		a := &authzActor{name: name, userID: l.admin.userID, apiToken: tok.str("token")}
		if a.apiToken == "" {
			t.Fatalf("api token answer without its secret: %s", tok.body)
		}
		l.exchange(a)
		l.actors[name] = a
	}
	l.seed()
	// The suspended user signed in before the suspension: its token must be
	// refused from then on (identity at once, the other services within a
	// second, through the revocation list).
	sus := l.newUser("suspended", "reader", "author")
	l.actors["suspended"] = sus
	l.must2xx("suspend", "POST", "/v1/users/"+sus.userID+"/suspension", l.admin.token, map[string]any{"reason": "authz matrix"})
	for range 100 {
		if l.do("GET", "/v1/users/me/follows", sus.token, nil, nil).status == http.StatusUnauthorized {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return l
}

// seed creates what the path parameters point at: the owner's author with
// one more member, a draft and a published item, a category, a
// collection, progress, a webhook with a delivery, a notification, a
// report, a download link and a feed token.
func (l *authzLab) seed() {
	owner, member, admin := l.actors["owner"], l.actors["member"], l.admin
	author := l.must2xx("author", "POST", "/v1/authors", owner.token, map[string]any{"name": "Owner's shelf"})
	l.fx["author"] = author.str("id")
	l.must2xx("member", "POST", "/v1/authors/"+l.fx["author"]+"/members", owner.token, map[string]any{"user_id": member.userID, "role": "member"})
	l.fx["draft"] = l.newMedia(owner, l.fx["author"], false)
	l.fx["media"] = l.newMedia(owner, l.fx["author"], true)
	l.fx["category"] = l.must2xx("category", "POST", "/v1/categories", admin.token, map[string]any{"name": "Matrix", "slug": "matrix"}).str("id")

	// The owner's things in engagement, once engagement has seen the item.
	l.eventually("progress", "PUT", "/v1/users/me/progress/"+l.fx["media"], owner.token, progressBody(30))
	l.eventually("follow", "PUT", "/v1/users/me/follows/author/"+l.fx["author"], owner.token, nil)
	col := l.must2xx("collection", "POST", "/v1/collections", owner.token, map[string]any{"name": "Private shelf"})
	l.fx["collection"] = col.str("id")
	l.must2xx("collection item", "POST", "/v1/collections/"+l.fx["collection"]+"/items", owner.token, map[string]any{"media_id": l.fx["media"]})

	// A webhook of the owner's author with one delivery: publishing
	// another item sends media.published to the sink.
	hook := l.eventually("webhook", "POST", "/v1/webhooks", owner.token, map[string]any{"author_id": l.fx["author"],
		"url": l.hook.srv.URL + "/hook", "event_types": []string{"media.published"}})
	l.fx["webhook"] = hook.str("id")

	// A notification for the owner: a followed author (the admin's)
	// publishes.
	other := l.must2xx("other author", "POST", "/v1/authors", admin.token, map[string]any{"name": "Admin's shelf"})
	l.eventually("follow other", "PUT", "/v1/users/me/follows/author/"+other.str("id"), owner.token, nil)
	l.newMedia(admin, other.str("id"), true)
	l.newMedia(owner, l.fx["author"], true) // a delivery for the webhook
	for range 200 {
		if l.fx["notification"] == "" {
			items, _ := l.do("GET", "/v1/users/me/notifications", owner.token, nil, nil).json()["items"].([]any)
			if len(items) > 0 {
				l.fx["notification"], _ = items[0].(map[string]any)["id"].(string)
			}
		}
		if l.fx["delivery"] == "" {
			items, _ := l.do("GET", "/v1/webhooks/"+l.fx["webhook"]+"/deliveries", owner.token, nil, nil).json()["items"].([]any)
			if len(items) > 0 {
				l.fx["delivery"], _ = items[0].(map[string]any)["id"].(string)
			}
		}
		if l.fx["notification"] != "" && l.fx["delivery"] != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l.fx["notification"] == "" || l.fx["delivery"] == "" {
		l.t.Fatalf("seed: no notification (%q) or webhook delivery (%q) for the owner", l.fx["notification"], l.fx["delivery"])
	}
	l.fx["link"] = l.newLink()
	l.fx["feed-token"] = l.must2xx("feed token", "POST", "/v1/feeds/tokens", owner.token, map[string]any{"name": "reader app"}).str("id")
	l.fx["media2"] = l.newMedia(owner, l.fx["author"], true)
	l.extra = l.newAccount("extra")
	l.signer = l.newAccount("signer")
}

// newAccount registers a reader account without signing it in.
func (l *authzLab) newAccount(name string) *authzActor {
	l.t.Helper()
	email := l.unique(name+"-") + "@authz.test"
	a := &authzActor{name: name, email: email, password: passwordOf(email)}
	a.userID = l.must2xx("register "+name, "POST", "/v1/users", "", map[string]any{"email": email, "password": a.password, "display_name": name}).str("id")
	return a
}

// newMedia creates a podcast episode (publishable without a file).
func (l *authzLab) newMedia(by *authzActor, author string, publish bool) string {
	l.t.Helper()
	m := l.must2xx("media", "POST", "/v1/media", by.token, map[string]any{"title": l.unique("Episode "), "kind": "podcast",
		"language": "en", "author_ids": []string{author}})
	id := m.str("id")
	if publish {
		l.must2xx("publish", "PATCH", "/v1/media/"+id, by.token, map[string]any{"status": "published"})
	}
	return id
}

// newLink makes a signed download link of the owner's published item.
func (l *authzLab) newLink() string {
	a := l.do("POST", "/v1/media/"+l.fx["media"]+"/content/links", l.actors["owner"].token, map[string]any{"expires_in_seconds": 3600}, nil)
	return a.str("id")
}

// openAPIOperation is one operation of the document.
type openAPIOperation struct {
	id, method, path string
	params           []openAPIParam
	body             map[string]any // the request body's schema, nil without one
	bodyRequired     bool
}

type openAPIParam struct {
	name, in string
	required bool
	schema   map[string]any
}

// operations reads every path × method of /openapi.json.
func (l *authzLab) operations() (ops []openAPIOperation, schemas map[string]any) {
	a := l.do("GET", "/openapi.json", "", nil, nil)
	if a.status != http.StatusOK {
		l.t.Fatalf("/openapi.json: %d", a.status)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	must(l.t, json.Unmarshal(a.body, &doc))
	for path, item := range doc.Paths {
		for method, raw := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue // parameters, summary...
			}
			var o struct {
				OperationID string `json:"operationId"`
				Parameters  []struct {
					Name     string         `json:"name"`
					In       string         `json:"in"`
					Required bool           `json:"required"`
					Schema   map[string]any `json:"schema"`
				} `json:"parameters"`
				RequestBody *struct {
					Required bool `json:"required"`
					Content  map[string]struct {
						Schema map[string]any `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			must(l.t, json.Unmarshal(raw, &o))
			op := openAPIOperation{id: o.OperationID, method: strings.ToUpper(method), path: path}
			for _, p := range o.Parameters {
				op.params = append(op.params, openAPIParam{name: p.Name, in: p.In, required: p.Required, schema: p.Schema})
			}
			if o.RequestBody != nil {
				op.bodyRequired = o.RequestBody.Required
				if c, ok := o.RequestBody.Content["application/json"]; ok {
					op.body = c.Schema
				}
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].key() < ops[j].key() })
	return ops, doc.Components.Schemas
}

// key is the operation's row name: its operationId, else "METHOD path".
func (o openAPIOperation) key() string {
	if o.id != "" {
		return o.id
	}
	return o.method + " " + o.path
}

// example builds a minimal valid JSON value for schema: required
// properties only, the first enum value, the minimum, the shortest string.
func example(schema map[string]any, schemas map[string]any, depth int) any {
	if schema == nil || depth > 8 {
		return nil
	}
	if ref, ok := schema["$ref"].(string); ok {
		s, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		return example(s, schemas, depth+1)
	}
	if enum, ok := schema["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	if ex, ok := schema["examples"].([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	typ, _ := schema["type"].(string)
	if types, ok := schema["type"].([]any); ok && len(types) > 0 {
		typ, _ = types[0].(string)
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		req, _ := schema["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			if name == "$schema" {
				continue
			}
			p, _ := props[name].(map[string]any)
			out[name] = example(p, schemas, depth+1)
		}
		return out
	case "array":
		items, _ := schema["items"].(map[string]any)
		n, _ := schema["minItems"].(float64)
		out := []any{}
		for range int(n) {
			out = append(out, example(items, schemas, depth+1))
		}
		return out
	case "integer", "number":
		if m, ok := schema["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return false
	case "string":
		switch schema["format"] {
		case "email":
			return "someone@authz.test"
		case "uri":
			return "https://example.org/"
		case "date-time":
			return time.Now().UTC().Format(time.RFC3339)
		}
		n, _ := schema["minLength"].(float64)
		return strings.Repeat("x", max(1, int(n)))
	}
	return nil
}

// authzCall is one prepared request of an operation.
type authzCall struct {
	path   string
	body   any
	header map[string]string
}

// prepare fills op's path from the fixtures (or the per-operation setup)
// and its body from the example table or the schema.
func (l *authzLab) prepare(op openAPIOperation, schemas map[string]any, caller *authzActor) authzCall {
	l.t.Helper()
	params := map[string]string{}
	query := url.Values{}
	for _, p := range op.params {
		switch {
		case p.in == "path":
			params[p.name] = l.defaultParam(op, p.name)
		case p.in == "query" && p.required:
			query.Set(p.name, fmt.Sprint(example(p.schema, schemas, 0)))
		}
	}
	var body any
	if op.body != nil && op.bodyRequired {
		body = example(op.body, schemas, 0)
	}
	call := authzCall{}
	if s, ok := authzSetups[op.key()]; ok {
		s(l, caller, params, &call)
		if call.body != nil {
			body = call.body
		}
	}
	path := op.path
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	if strings.Contains(path, "{") {
		l.t.Fatalf("%s: no fixture for a path parameter of %s; add a case to defaultParam or authzSetups", op.key(), path)
	}
	switch {
	case call.path != "":
		path += call.path // a query string
	case len(query) > 0:
		path += "?" + query.Encode()
	}
	call.path, call.body = path, body
	return call
}

// defaultParam is the fixture a path parameter names, by its name and
// the path it is in.
func (l *authzLab) defaultParam(op openAPIOperation, name string) string {
	p := op.path
	switch name {
	case "media_id":
		return l.fx["media"]
	case "user_id":
		return l.actors["member"].userID
	case "link_id":
		return l.fx["link"]
	case "delivery_id":
		return l.fx["delivery"]
	case "type":
		return "author"
	case "provider":
		return "nowhere"
	case "tag":
		return "matrix"
	}
	switch {
	case strings.Contains(p, "/authors/{id}"), strings.Contains(p, "/follows/"):
		return l.fx["author"]
	case strings.Contains(p, "/media/{id}"):
		return l.fx["media"]
	case strings.Contains(p, "/categories/{id}"):
		return l.fx["category"]
	case strings.Contains(p, "/collections/{id}"):
		return l.fx["collection"]
	case strings.Contains(p, "/webhooks/{id}"):
		return l.fx["webhook"]
	case strings.Contains(p, "/notifications/{id}"):
		return l.fx["notification"]
	case strings.Contains(p, "/users/{id}"):
		return l.actors["owner"].userID
	case strings.Contains(p, "/feeds/tokens/{id}"):
		return l.fx["feed-token"]
	}
	// Dead letters, passkeys, devices...: a well-formed ID nothing has.
	return uuidLike()
}

// outcome classifies a status for the matrix.
type outcome int

const (
	allowed outcome = iota
	denied
	unclear
)

func classify(status int, pass []int) outcome {
	switch {
	case slices.Contains(pass, status):
		return allowed
	case status >= 200 && status < 400:
		return allowed
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		return denied
	}
	return unclear
}

// TestAuthorisationMatrix calls every operation of the API document as
// every kind of caller and compares the outcome with authzMatrix.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	l := newAuthzLab(t)
	ops, schemas := l.operations()
	if len(ops) < 50 {
		t.Fatalf("/openapi.json lists only %d operations", len(ops))
	}

	// Every operation needs a row, and every row an operation.
	var missing []string
	seen := map[string]bool{}
	for _, op := range ops {
		seen[op.key()] = true
		if _, ok := authzMatrix[op.key()]; !ok {
			missing = append(missing, op.key())
		}
	}
	var stale []string
	for k := range authzMatrix {
		if !seen[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("authorisation matrix: rows for operations /openapi.json does not list (remove them from authzMatrix in test/e2e/authz_matrix_test.go): %s",
			strings.Join(stale, ", "))
	}

	observed := map[string][]string{} // key → actors allowed, for the rows to add
	var failures []string
	started := time.Now()
	calls := 0
	for _, op := range ops {
		row, declared := authzMatrix[op.key()]
		for _, name := range authzActors {
			caller := l.actors[name]
			call := l.prepare(op, schemas, caller)
			a := l.do(op.method, call.path, caller.token, call.body, call.header)
			calls++
			if after, ok := authzAfter[op.key()]; ok {
				after(l, caller, a)
			}
			got := classify(a.status, row.pass)
			if got == allowed {
				observed[op.key()] = append(observed[op.key()], name)
			}
			if !declared {
				continue
			}
			want := denied
			if row.allows(name) {
				want = allowed
			}
			switch {
			case a.status >= 500 && !slices.Contains(row.pass, a.status):
				failures = append(failures, fmt.Sprintf("%s %s as %s: server error %d %s", op.method, call.path, name, a.status, clip(a.body)))
			case got == unclear:
				failures = append(failures, fmt.Sprintf("%s %s as %s: %d is neither allowed (2xx/3xx%s) nor denied (401/403/404): fix the example request in authzSetups: %s",
					op.method, call.path, name, a.status, passText(row.pass), clip(a.body)))
			case got != want:
				failures = append(failures, fmt.Sprintf("%s (%s %s) as %s: want %s, got %d %s",
					op.key(), op.method, call.path, name, [...]string{"allowed", "denied"}[want], a.status, clip(a.body)))
			}
		}
	}
	t.Logf("authorisation matrix: %d operations × %d callers = %d calls in %v", len(ops), len(authzActors), calls, time.Since(started).Round(time.Millisecond))
	for _, f := range failures {
		t.Error(f)
	}
	if len(missing) > 0 {
		var b strings.Builder
		for _, k := range missing {
			fmt.Fprintf(&b, "\t%q: {allow: %q}, // observed now: check it is right before adding\n", k, strings.Join(observed[k], " "))
		}
		t.Errorf("authorisation matrix: %d operations of /openapi.json have no row in authzMatrix (test/e2e/authz_matrix_test.go); add:\n%s",
			len(missing), b.String())
	}
}

func passText(pass []int) string {
	var s string
	for _, p := range pass {
		s += fmt.Sprintf("/%d", p)
	}
	return s
}

func clip(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
