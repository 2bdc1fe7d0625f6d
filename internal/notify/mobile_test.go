package notify

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// fcmFake answers FCM HTTP v1 messages:send; the token "gone-…" is
// unregistered.
type fcmFake struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []map[string]any
}

func newFCMFake(t *testing.T) *fcmFake {
	f := &fcmFake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v1/projects/demo-project/messages:send" {
			http.Error(w, "unexpected "+r.URL.Path, http.StatusNotFound)
			return
		}
		var body struct {
			Message map[string]any `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if tok, _ := body.Message["token"].(string); strings.HasPrefix(tok, "gone-") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}`)
			return
		}
		f.mu.Lock()
		f.sent = append(f.sent, body.Message)
		f.mu.Unlock()
		_, _ = io.WriteString(w, `{"name":"projects/demo-project/messages/1"}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fcmFake) messages() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.sent...)
}

func (c *api) devices(t *testing.T, user string) int {
	var n []int
	if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM devices WHERE user_id = ?", user).Scan(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n[0]
}

func TestFCMDevices(t *testing.T) {
	fake := newFCMFake(t)
	tune := func(c *Config) {
		c.MobilePush, c.FCMProjectID, c.FCMEndpoint = "fcm", "demo-project", fake.srv.URL+"/v1"
	}
	forEachServer(t, tune, func(t *testing.T, c *api) {
		author, member, other := uuid.NewString(), c.user(), c.user()
		tok := "fcm-" + uuid.NewString()
		d := c.expect(201, "POST", "/v1/users/me/devices", member, map[string]any{"platform": "android", "token": tok})
		c.expect(201, "POST", "/v1/users/me/devices", member, map[string]any{"platform": "android", "token": "gone-" + uuid.NewString()})
		r := c.expect(422, "POST", "/v1/users/me/devices", member, map[string]any{"platform": "android", "token": "x y"})
		if !strings.Contains(r.raw, "body.token") {
			t.Fatalf("no field: %s", r.raw)
		}
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		var msg map[string]any
		eventually(t, "an FCM message", func() bool {
			for _, m := range fake.messages() {
				if m["token"] == tok {
					msg = m
				}
			}
			return msg != nil
		})
		n, _ := msg["notification"].(map[string]any)
		data, _ := msg["data"].(map[string]any)
		if n["title"] != "You were added to an author" || data["type"] != "author.member.added" {
			t.Fatalf("FCM message %v", msg)
		}
		eventually(t, "the unregistered token dropped", func() bool { return c.devices(t, member) == 1 })
		c.expect(404, "DELETE", "/v1/users/me/devices/"+d.body["id"].(string), other, nil)
		c.expect(204, "DELETE", "/v1/users/me/devices/"+d.body["id"].(string), member, nil)
	})
}

// snsFake answers the SNS query API: CreatePlatformEndpoint and Publish.
type snsFake struct {
	srv       *httptest.Server
	mu        sync.Mutex
	endpoints map[string]string // arn → token
	published map[string]string // arn → message
}

func newSNSFake(t *testing.T) *snsFake {
	f := &snsFake{endpoints: map[string]string{}, published: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		const ns = `xmlns="http://sns.amazonaws.com/doc/2010-03-31/"`
		switch form.Get("Action") {
		case "CreatePlatformEndpoint":
			arn := "arn:aws:sns:eu-west-1:000000000000:endpoint/GCM/app/" + uuid.NewString()
			f.endpoints[arn] = form.Get("Token")
			fmt.Fprintf(w, `<CreatePlatformEndpointResponse %s><CreatePlatformEndpointResult><EndpointArn>%s</EndpointArn></CreatePlatformEndpointResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></CreatePlatformEndpointResponse>`, ns, arn)
		case "Publish":
			f.published[form.Get("TargetArn")] = form.Get("Message")
			fmt.Fprintf(w, `<PublishResponse %s><PublishResult><MessageId>%s</MessageId></PublishResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></PublishResponse>`, ns, uuid.NewString())
		default:
			w.WriteHeader(400)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestSNSDevices(t *testing.T) {
	fake := newSNSFake(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	tune := func(c *Config) {
		c.MobilePush, c.SNSRegion, c.SNSEndpoint = "sns", "eu-west-1", fake.srv.URL
		c.SNSPlatformApplicationARN = "arn:aws:sns:eu-west-1:000000000000:app/GCM/alexandria"
	}
	forEachServer(t, tune, func(t *testing.T, c *api) {
		author, member := uuid.NewString(), c.user()
		tok := "sns-" + uuid.NewString()
		c.expect(201, "POST", "/v1/users/me/devices", member, map[string]any{"platform": "ios", "token": tok})
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		var msg string
		eventually(t, "an SNS publish to the device's endpoint", func() bool {
			fake.mu.Lock()
			defer fake.mu.Unlock()
			for arn, token := range fake.endpoints {
				if token == tok {
					msg = fake.published[arn]
				}
			}
			return msg != ""
		})
		var m map[string]string
		if err := json.Unmarshal([]byte(msg), &m); err != nil || !strings.Contains(m["APNS"], "You were added to an author") || m["GCM"] == "" {
			t.Fatalf("SNS message %q", msg)
		}
	})
}
