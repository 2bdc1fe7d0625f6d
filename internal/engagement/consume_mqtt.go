package engagement

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Progress over MQTT: devices publish to alexandria/v1/users/{user_id}/progress
// (QoS 1) a JSON message with the HTTP body's fields plus media_id and
// api_token, a personal API token of that user with the progress:write
// scope. Engagement holds a persistent session (clean session off, a fixed
// client ID), so messages published while it is away arrive when it is back.
// A message with a wrong or missing token, for another user's topic, or
// invalid is dropped and counted (alexandria_engagement_mqtt_messages_total);
// a replay changes nothing (the later client_time rule).

// ProgressTopicFilter is the subscription; ProgressTopic one user's topic.
const ProgressTopicFilter = "alexandria/v1/users/+/progress"

// ProgressTopic is the topic a user's devices publish progress to.
func ProgressTopic(userID string) string { return "alexandria/v1/users/" + userID + "/progress" }

// mqttMessage is one device report.
type mqttMessage struct {
	progressBody
	MediaID  string `json:"media_id"`
	APIToken string `json:"api_token"`
}

// tokenChecker turns a personal API token into its verified caller by
// exchanging it at identity and verifying the access token it gets; results
// (good and bad) are cached briefly.
type tokenChecker struct {
	identityURL string
	client      *http.Client
	verifier    *auth.Verifier
	ttl         time.Duration
	now         func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cachedToken
}

type cachedToken struct {
	p       auth.Principal
	err     error
	expires time.Time
}

var errBadToken = errs.Unauthenticatedf("the api_token is not valid")

func (c *tokenChecker) check(ctx context.Context, apiToken string) (auth.Principal, error) {
	if apiToken == "" || len(apiToken) > 200 {
		return auth.Principal{}, errBadToken
	}
	key := sha256.Sum256([]byte(apiToken))
	now := c.now()
	c.mu.Lock()
	if hit, ok := c.cache[key]; ok && now.Before(hit.expires) {
		c.mu.Unlock()
		return hit.p, hit.err
	}
	c.mu.Unlock()
	p, err := c.exchange(ctx, apiToken)
	if err != nil && errs.KindOf(err) != errs.Unauthenticated {
		return p, err // identity unreachable: not cached, the message is retried
	}
	c.mu.Lock()
	if len(c.cache) > 10000 {
		clear(c.cache)
	}
	c.cache[key] = cachedToken{p: p, err: err, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return p, err
}

func (c *tokenChecker) exchange(ctx context.Context, apiToken string) (auth.Principal, error) {
	if c.identityURL == "" || c.verifier == nil {
		return auth.Principal{}, errs.New(errs.Unavailable, "identity is not configured")
	}
	body, _ := json.Marshal(map[string]string{"api_token": apiToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.identityURL, "/")+"/v1/auth/token", bytes.NewReader(body))
	if err != nil {
		return auth.Principal{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return auth.Principal{}, errs.Wrap(errs.Unavailable, err, "identity unreachable")
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
		return auth.Principal{}, errBadToken
	default:
		return auth.Principal{}, errs.New(errs.Unavailable, "identity answered %d", resp.StatusCode)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return auth.Principal{}, errs.Wrap(errs.Unavailable, err, "identity's answer is unreadable")
	}
	p, err := c.verifier.Verify(ctx, tok.AccessToken)
	if err != nil && errs.KindOf(err) == errs.Unauthenticated {
		return auth.Principal{}, errBadToken
	}
	return p, err
}

// mqttResult labels a handled message in the metrics.
type mqttResult string

const (
	mqttApplied   mqttResult = "applied"
	mqttStale     mqttResult = "stale"
	mqttBadToken  mqttResult = "bad_token"
	mqttWrongUser mqttResult = "wrong_user"
	mqttInvalid   mqttResult = "invalid"
	mqttFailed    mqttResult = "failed"
)

// handleProgressMessage applies one device report.
func (s *Service) handleProgressMessage(ctx context.Context, topic string, payload []byte) mqttResult {
	parts := strings.Split(topic, "/")
	if len(parts) != 5 || !domain.ValidID(parts[3]) {
		return mqttInvalid
	}
	topicUser := parts[3]
	var msg mqttMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if len(payload) > 16<<10 || dec.Decode(&msg) != nil {
		return mqttInvalid
	}
	p, err := s.tokens.check(ctx, msg.APIToken)
	switch {
	case errs.KindOf(err) == errs.Unauthenticated:
		return mqttBadToken
	case err != nil:
		s.log.WarnContext(ctx, "engagement: cannot check an MQTT progress token", slog.Any("error", err))
		return mqttFailed
	case !p.Can(auth.ScopeProgressWrite):
		return mqttBadToken
	case p.UserID != topicUser:
		return mqttWrongUser
	}
	_, applied, err := s.putProgress(ctx, p.UserID, msg.MediaID, msg.position(), msg.Device, msg.ClientTime)
	switch {
	case err == nil && applied:
		return mqttApplied
	case err == nil:
		return mqttStale
	case errs.KindOf(err) == errs.Invalid || errs.KindOf(err) == errs.NotFound:
		return mqttInvalid
	default:
		s.log.ErrorContext(ctx, "engagement: MQTT progress not stored", slog.Any("error", err))
		return mqttFailed
	}
}

// brokerAddress turns mqtt://host:port into what paho dials.
func brokerAddress(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("engagement.mqtt_url: not a URL like mqtt://host:1883")
	}
	switch u.Scheme {
	case "mqtt", "tcp":
		return "tcp://" + u.Host, nil
	case "mqtts", "ssl", "tls":
		return "ssl://" + u.Host, nil
	}
	return "", fmt.Errorf("engagement.mqtt_url: scheme must be mqtt or mqtts")
}

// runMQTT returns the runner (of the target's lifecycle group) that
// connects to the broker and subscribes; the session lives until ctx ends.
func (s *Service) runMQTT(cfg Config) (func(ctx context.Context) error, error) {
	addr, err := brokerAddress(cfg.MQTTURL)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		opts := mqtt.NewClientOptions().AddBroker(addr).SetClientID(cfg.MQTTClientID).
			SetCleanSession(false).SetAutoReconnect(true).SetConnectRetry(true).
			SetConnectRetryInterval(time.Second).SetOrderMatters(true).SetKeepAlive(30 * time.Second)
		if u, err := url.Parse(cfg.MQTTURL); err == nil && u.User != nil {
			opts.SetUsername(u.User.Username())
			if pw, ok := u.User.Password(); ok {
				opts.SetPassword(pw)
			}
		}
		handler := func(_ mqtt.Client, m mqtt.Message) {
			mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			r := s.handleProgressMessage(mctx, m.Topic(), m.Payload())
			s.metrics.mqtt.WithLabelValues(string(r)).Inc()
		}
		opts.SetOnConnectHandler(func(c mqtt.Client) {
			tok := c.Subscribe(ProgressTopicFilter, 1, handler)
			if tok.WaitTimeout(10*time.Second) && tok.Error() != nil {
				s.log.ErrorContext(ctx, "engagement: MQTT subscribe failed", slog.Any("error", tok.Error()))
			}
		})
		// Messages of the persistent session that arrive before the
		// subscription is re-made go to the same handler.
		opts.SetDefaultPublishHandler(handler)
		c := mqtt.NewClient(opts)
		// With ConnectRetry the first connection is retried until the
		// broker answers; a stop meanwhile ends the attempts.
		tok := c.Connect()
		select {
		case <-tok.Done():
			if err := tok.Error(); err != nil {
				return fmt.Errorf("mqtt connect: %w", err)
			}
			s.log.InfoContext(ctx, "engagement: MQTT progress connected", slog.String("broker", addr), slog.String("topic", ProgressTopicFilter))
		case <-ctx.Done():
		}
		<-ctx.Done()
		c.Disconnect(250)
		return ctx.Err()
	}, nil
}
