package notify

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Web Push (RFC 8030, VAPID RFC 8292, payloads encrypted per RFC 8291
// aes128gcm) through webpush-go. Push services are reached through the
// same guarded dialer as webhooks.

func (s *Service) pushEnabled() bool {
	return s.cfg.VAPIDPublicKey != "" && s.cfg.VAPIDPrivateKey != ""
}

func decodeKey(k string) ([]byte, error) {
	k = strings.TrimRight(k, "=")
	if b, err := base64.RawURLEncoding.DecodeString(k); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(k)
}

// subscribePush checks and stores a browser's PushSubscription.
func (s *Service) subscribePush(ctx context.Context, userID, endpoint, p256dh, auth string) error {
	if !s.pushEnabled() {
		return errs.New(errs.Unavailable, "web push is not configured on this server (notify.vapid_public_key)")
	}
	var v errs.Validation
	if !strings.HasPrefix(endpoint, "https://") && !strings.HasPrefix(endpoint, "http://") {
		v.Add("body.endpoint", "must be the subscription's https URL")
	} else if err := s.checkURL(ctx, endpoint); err != nil {
		v.Add("body.endpoint", "refused: the push service's address is loopback, private or reserved")
	}
	if key, err := decodeKey(p256dh); err != nil {
		v.Add("body.keys.p256dh", "must be base64url")
	} else if _, err := ecdh.P256().NewPublicKey(key); err != nil {
		v.Add("body.keys.p256dh", "must be an uncompressed P-256 public key (65 bytes)")
	}
	if key, err := decodeKey(auth); err != nil || len(key) != 16 {
		v.Add("body.keys.auth", "must be 16 bytes, base64url")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.store.savePushSubscription(ctx, userID, endpoint, p256dh, auth, s.now())
}

// sendPush sends a delivery to every subscription of its user. A
// subscription the push service says is gone (404, 410) is dropped.
func (s *Service) sendPush(ctx context.Context, d delivery) (sent int, err error) {
	subs, err := s.store.pushSubscriptions(ctx, d.UserID)
	if err != nil || len(subs) == 0 {
		return 0, err
	}
	payload, _ := json.Marshal(map[string]any{"id": d.NotificationID, "type": d.Type, "title": d.Title, "body": d.Body,
		"url": s.link(d.Subject)})
	opts := &webpush.Options{HTTPClient: s.webhookClient, Subscriber: s.cfg.VAPIDSubject, TTL: 24 * 3600,
		VAPIDPublicKey: s.cfg.VAPIDPublicKey, VAPIDPrivateKey: s.cfg.VAPIDPrivateKey, RecordSize: 3070}
	var failures []string
	for _, sub := range subs {
		resp, err := webpush.SendNotificationWithContext(ctx, payload, &webpush.Subscription{Endpoint: sub.Endpoint,
			Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}, opts)
		if err != nil {
			failures = append(failures, err.Error())
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<10))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
			if err := s.store.dropPushEndpoint(ctx, sub.Endpoint); err != nil {
				return sent, err
			}
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			failures = append(failures, fmt.Sprintf("push service answered %d", resp.StatusCode))
		default:
			sent++
		}
	}
	if len(failures) > 0 && sent == 0 {
		return 0, fmt.Errorf("web push: %s", strings.Join(failures, "; "))
	}
	return sent, nil
}
