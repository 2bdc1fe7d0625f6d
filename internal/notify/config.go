package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"time"
)

// Config tunes notify and chooses its channels.
type Config struct {
	FanoutBatch     int           `yaml:"fanout_batch" env:"FANOUT_BATCH" doc:"followers written per fan-out transaction (one page of a published item's fan-out)"`
	FanoutDelay     time.Duration `yaml:"fanout_delay" env:"FANOUT_DELAY" doc:"how long a published item waits before its fan-out starts, so that follows made just before publishing (another service's events) have arrived"`
	PollInterval    time.Duration `yaml:"poll_interval" env:"POLL_INTERVAL" doc:"how often the fan-out and delivery workers look for work when not woken"`
	StreamHeartbeat time.Duration `yaml:"stream_heartbeat" env:"STREAM_HEARTBEAT" doc:"interval of the SSE stream's heartbeat comments"`
	StreamPoll      time.Duration `yaml:"stream_poll" env:"STREAM_POLL" doc:"how often an open SSE stream checks the inbox for entries written by other processes"`
	// E-mail: SMTP when smtp_url is set, else .eml files in the data dir.
	SMTPURL        string        `yaml:"smtp_url" env:"SMTP_URL" secret:"true" doc:"SMTP server, smtp://[user:password@]host:port (smtps:// for implicit TLS); empty: mails are written as .eml files under <data dir>/notify-mail and logged"`
	SESRegion      string        `yaml:"ses_region" env:"SES_REGION" doc:"send mail through Amazon SES v2 in this region (credentials from the AWS SDK's default chain); takes precedence over smtp_url"`
	SESEndpoint    string        `yaml:"ses_endpoint" env:"SES_ENDPOINT" doc:"SES API endpoint override (a local SES for tests); empty: AWS's"`
	SMTPRequireTLS bool          `yaml:"smtp_require_tls" env:"SMTP_REQUIRE_TLS" doc:"refuse an smtp:// server that does not offer STARTTLS"`
	MailFrom       string        `yaml:"mail_from" env:"MAIL_FROM" doc:"From address of notification mails"`
	MailDir        string        `yaml:"mail_dir" env:"MAIL_DIR" doc:"directory of the .eml files when no SMTP server is set (empty: <data dir>/notify-mail)"`
	SendTimeout    time.Duration `yaml:"send_timeout" env:"SEND_TIMEOUT" doc:"limit for one delivery attempt"`
	MaxAttempts    int           `yaml:"max_attempts" env:"MAX_ATTEMPTS" doc:"delivery attempts before a delivery is marked failed"`
	RetryBase      time.Duration `yaml:"retry_base" env:"RETRY_BASE" doc:"first retry delay; each further attempt doubles it"`
	// Senders' concurrency.
	DeliveryWorkers int `yaml:"delivery_workers" env:"DELIVERY_WORKERS" doc:"e-mail, Web Push and mobile deliveries sent at once (one user's deliveries stay in order, on one worker)"`
	WebhookWorkers  int `yaml:"webhook_workers" env:"WEBHOOK_WORKERS" doc:"webhook deliveries sent at once, to different endpoints (one endpoint's deliveries go one at a time, in order)"`
	// Webhooks.
	WebhookTimeout      time.Duration `yaml:"webhook_timeout" env:"WEBHOOK_TIMEOUT" doc:"limit for one webhook request (connect to answer)"`
	WebhookDisableAfter int           `yaml:"webhook_disable_after" env:"WEBHOOK_DISABLE_AFTER" doc:"consecutive failed attempts after which a webhook is disabled (a redelivery re-enables it)"`
	WebhookAllow        string        `yaml:"webhook_allow" env:"WEBHOOK_ALLOW" doc:"comma-separated CIDRs webhooks may reach although they are loopback, private or link-local (e.g. 10.1.0.0/16); empty: none"`
	// Web Push (VAPID); empty keys: the channel is off.
	VAPIDPublicKey  string `yaml:"vapid_public_key" env:"VAPID_PUBLIC_KEY" doc:"VAPID public key (base64url, uncompressed P-256 point); with the private key it turns Web Push on"`
	VAPIDPrivateKey string `yaml:"vapid_private_key" env:"VAPID_PRIVATE_KEY" secret:"true" doc:"VAPID private key (base64url); generate a pair with any VAPID tool, keep it stable (browsers subscribe to the public key)"`
	VAPIDSubject    string `yaml:"vapid_subject" env:"VAPID_SUBJECT" doc:"contact in the VAPID JWT: an e-mail address or an https URL"`
	// Mobile push.
	MobilePush                string `yaml:"mobile_push" env:"MOBILE_PUSH" doc:"mobile push provider: fcm (Firebase Cloud Messaging) or sns (AWS SNS platform endpoints); empty: off"`
	FCMProjectID              string `yaml:"fcm_project_id" env:"FCM_PROJECT_ID" doc:"Firebase project ID"`
	FCMCredentialsFile        string `yaml:"fcm_credentials_file" env:"FCM_CREDENTIALS_FILE" doc:"service account JSON file for FCM (empty: Google's default credentials)"`
	FCMEndpoint               string `yaml:"fcm_endpoint" env:"FCM_ENDPOINT" doc:"FCM API base URL override, unauthenticated (tests)"`
	SNSRegion                 string `yaml:"sns_region" env:"SNS_REGION" doc:"AWS region of the SNS platform application"`
	SNSPlatformApplicationARN string `yaml:"sns_platform_application_arn" env:"SNS_PLATFORM_APPLICATION_ARN" doc:"SNS platform application devices are registered under"`
	SNSEndpoint               string `yaml:"sns_endpoint" env:"SNS_ENDPOINT" doc:"SNS API endpoint override (goaws or a fake in tests)"`
	// UnsubscribeKey signs the one-click unsubscribe links; empty: the
	// service key, or a random key per process (links die on restart).
	UnsubscribeKey string `yaml:"unsubscribe_key" env:"UNSUBSCRIBE_KEY" secret:"true" doc:"key signing the one-click unsubscribe links in mails (empty: the service key)"`
}

// DefaultConfig returns the built-in settings.
func DefaultConfig() Config {
	return Config{FanoutBatch: 1000, FanoutDelay: 2 * time.Second, PollInterval: time.Second, StreamHeartbeat: 15 * time.Second,
		StreamPoll: time.Second, MailFrom: "Alexandria <notifications@alexandria.localhost>",
		SendTimeout: 10 * time.Second, MaxAttempts: 8, RetryBase: 5 * time.Second,
		DeliveryWorkers: 8, WebhookWorkers: 8,
		WebhookTimeout: 10 * time.Second, WebhookDisableAfter: 20, VAPIDSubject: "notifications@alexandria.localhost"}
}

// Validate reports out-of-range settings.
func (c Config) Validate() error {
	var problems []error
	if c.FanoutBatch < 1 || c.FanoutBatch > 5000 {
		problems = append(problems, fmt.Errorf("notify.fanout_batch: must be between 1 and 5000 (got %d)", c.FanoutBatch))
	}
	if c.FanoutDelay < 0 || c.FanoutDelay > 10*time.Minute {
		problems = append(problems, fmt.Errorf("notify.fanout_delay: must be between 0 and 10m (got %s)", c.FanoutDelay))
	}
	for name, d := range map[string]time.Duration{"poll_interval": c.PollInterval, "stream_poll": c.StreamPoll} {
		if d < 10*time.Millisecond || d > time.Minute {
			problems = append(problems, fmt.Errorf("notify.%s: must be between 10ms and 1m (got %s)", name, d))
		}
	}
	if c.StreamHeartbeat < 100*time.Millisecond || c.StreamHeartbeat > 5*time.Minute {
		problems = append(problems, fmt.Errorf("notify.stream_heartbeat: must be between 100ms and 5m (got %s)", c.StreamHeartbeat))
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		problems = append(problems, fmt.Errorf("notify.mail_from: not an address: %w", err))
	}
	if c.SMTPURL != "" {
		if _, err := newSMTPMailer(c); err != nil {
			problems = append(problems, err)
		}
	}
	if c.SendTimeout < 100*time.Millisecond || c.SendTimeout > 5*time.Minute {
		problems = append(problems, fmt.Errorf("notify.send_timeout: must be between 100ms and 5m (got %s)", c.SendTimeout))
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 50 {
		problems = append(problems, fmt.Errorf("notify.max_attempts: must be between 1 and 50 (got %d)", c.MaxAttempts))
	}
	if c.RetryBase < 10*time.Millisecond || c.RetryBase > time.Hour {
		problems = append(problems, fmt.Errorf("notify.retry_base: must be between 10ms and 1h (got %s)", c.RetryBase))
	}
	if c.DeliveryWorkers < 1 || c.DeliveryWorkers > 256 {
		problems = append(problems, fmt.Errorf("notify.delivery_workers: must be between 1 and 256 (got %d)", c.DeliveryWorkers))
	}
	if c.WebhookWorkers < 1 || c.WebhookWorkers > 256 {
		problems = append(problems, fmt.Errorf("notify.webhook_workers: must be between 1 and 256 (got %d)", c.WebhookWorkers))
	}
	if c.WebhookTimeout < 100*time.Millisecond || c.WebhookTimeout > 2*time.Minute {
		problems = append(problems, fmt.Errorf("notify.webhook_timeout: must be between 100ms and 2m (got %s)", c.WebhookTimeout))
	}
	if c.WebhookDisableAfter < 1 || c.WebhookDisableAfter > 1000 {
		problems = append(problems, fmt.Errorf("notify.webhook_disable_after: must be between 1 and 1000 (got %d)", c.WebhookDisableAfter))
	}
	switch c.MobilePush {
	case "":
	case "fcm":
		if c.FCMProjectID == "" {
			problems = append(problems, fmt.Errorf("notify.fcm_project_id: required with mobile_push fcm"))
		}
	case "sns":
		if c.SNSRegion == "" || c.SNSPlatformApplicationARN == "" {
			problems = append(problems, fmt.Errorf("notify.sns_region and notify.sns_platform_application_arn: required with mobile_push sns"))
		}
	default:
		problems = append(problems, fmt.Errorf("notify.mobile_push: want fcm, sns or empty (got %q)", c.MobilePush))
	}
	if (c.VAPIDPublicKey == "") != (c.VAPIDPrivateKey == "") {
		problems = append(problems, fmt.Errorf("notify.vapid_public_key and notify.vapid_private_key: set both or neither"))
	}
	if c.VAPIDPublicKey != "" {
		if k, err := decodeKey(c.VAPIDPublicKey); err != nil || len(k) != 65 {
			problems = append(problems, fmt.Errorf("notify.vapid_public_key: want a base64url uncompressed P-256 point (65 bytes)"))
		}
	}
	if _, err := parseAllow(c.WebhookAllow); err != nil {
		problems = append(problems, fmt.Errorf("notify.webhook_allow: %w", err))
	}
	return errors.Join(problems...)
}
