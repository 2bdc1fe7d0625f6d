// Package identity owns accounts, roles, sessions (rotating refresh tokens),
// access tokens (EdDSA JWTs published as a JWKS) and personal API tokens.
package identity

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/alexandria-platform/alexandria/internal/identity/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are identity's goose migrations, written once for both
// dialects. db.Migrate reads migrations at the root of the FS it is given,
// hence the Sub (which cannot fail for a literal, valid directory name).
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Config is identity's configuration.
type Config struct {
	AccessTokenTTL      time.Duration `yaml:"access_token_ttl" env:"ACCESS_TOKEN_TTL" doc:"lifetime of access tokens (JWT)"`
	RefreshTokenTTL     time.Duration `yaml:"refresh_token_ttl" env:"REFRESH_TOKEN_TTL" doc:"lifetime of refresh tokens; each refresh issues a new one"`
	APITokenMaxTTL      time.Duration `yaml:"api_token_max_ttl" env:"API_TOKEN_MAX_TTL" doc:"longest lifetime a personal API token may have"`
	AdminEmail          string        `yaml:"admin_email" env:"ALEXANDRIA_ADMIN_EMAIL" doc:"email of the administrator created on first start"`
	AdminPassword       string        `yaml:"admin_password" env:"ALEXANDRIA_ADMIN_PASSWORD" secret:"true" doc:"password of the first administrator; empty: a random one is generated and printed once"`
	LoginMaxFailures    int           `yaml:"login_max_failures" env:"LOGIN_MAX_FAILURES" doc:"failed sign-ins per account before it is throttled for the window"`
	LoginFailureWindow  time.Duration `yaml:"login_failure_window" env:"LOGIN_FAILURE_WINDOW" doc:"window in which failed sign-ins are counted"`
	LoginRatePerAddress int           `yaml:"login_rate_per_address" env:"LOGIN_RATE_PER_ADDRESS" doc:"sign-in attempts per client address per minute"`
	KeyRetention        time.Duration `yaml:"key_retention" env:"KEY_RETENTION" doc:"how long a retired signing key stays in the JWKS (longer than access_token_ttl)"`
	// Limits that keep anonymous traffic from exhausting the process.
	LoginMaxFailuresPerAccount  int           `yaml:"login_max_failures_per_account" env:"LOGIN_MAX_FAILURES_PER_ACCOUNT" doc:"failed sign-ins per account from all addresses together before it is throttled for the window (stops distributed guessing)"`
	SignupRatePerAddress        int           `yaml:"signup_rate_per_address" env:"SIGNUP_RATE_PER_ADDRESS" doc:"account registrations per client address per hour"`
	RefreshReuseGrace           time.Duration `yaml:"refresh_reuse_grace" env:"REFRESH_REUSE_GRACE" doc:"a refresh token presented again this soon after its first use is refused without ending the session (two tabs refreshing at once); later reuse ends the session"`
	PasswordHashConcurrency     int           `yaml:"password_hash_concurrency" env:"PASSWORD_HASH_CONCURRENCY" doc:"password hashes computed at once (19 MiB each); 0: twice GOMAXPROCS"`
	RedisURL                    string        `yaml:"redis_url" env:"ALEXANDRIA_REDIS_URL" secret:"true" doc:"Redis (redis://...) holding the sign-in limits and lockouts, shared by identity replicas; empty: in memory, for one replica"`
	DisablePasswords            bool          `yaml:"disable_passwords" env:"DISABLE_PASSWORDS" doc:"refuse password sign-in and registration (403): accounts come from the OIDC provider"`
	OIDC                        OIDCSettings  `yaml:"oidc" env:"OIDC"`
	WebAuthnRPID                string        `yaml:"webauthn_rp_id" env:"WEBAUTHN_RP_ID" doc:"passkeys' relying party ID (the site's domain); empty: the host of http.public_url, and no passkeys without one"`
	WebAuthnOrigins             []string      `yaml:"webauthn_origins" env:"WEBAUTHN_ORIGINS" doc:"origins passkey ceremonies may come from; empty: the origin of http.public_url"`
	RequireSecondFactorForStaff bool          `yaml:"require_second_factor_for_staff" env:"REQUIRE_SECOND_FACTOR_FOR_STAFF" doc:"moderators and administrators act as such only in sessions that passed a second factor (TOTP or a recovery code); without one they sign in as readers and authors and can set one up"`
	TOTPEncryptionKeys          string        `yaml:"totp_encryption_keys" env:"TOTP_ENCRYPTION_KEYS" secret:"true" doc:"keys that seal TOTP secrets at rest (AES-256-GCM): id:base64 of 32 random bytes, comma-separated; the first seals, the others still open, and secrets are resealed under the first at start (docs/operations.md, key rotation); empty: TOTP secrets are stored unsealed"`
	PasswordHashWait            time.Duration `yaml:"password_hash_wait" env:"PASSWORD_HASH_WAIT" doc:"how long a request waits for a password-hashing slot before it gets 503"`
	// Mailed links: e-mail verification and password reset (app_email_tokens.go).
	EmailVerifyTTL              time.Duration `yaml:"email_verify_ttl" env:"EMAIL_VERIFY_TTL" doc:"how long an e-mail verification link works"`
	PasswordResetTTL            time.Duration `yaml:"password_reset_ttl" env:"PASSWORD_RESET_TTL" doc:"how long a password reset link works"`
	PasswordResetRatePerAddress int           `yaml:"password_reset_rate_per_address" env:"PASSWORD_RESET_RATE_PER_ADDRESS" doc:"password reset requests per client address per hour (more: 429)"`
	PasswordResetPerAccount     int           `yaml:"password_reset_per_account" env:"PASSWORD_RESET_PER_ACCOUNT" doc:"password reset mails per e-mail address per hour; further requests are answered alike (202) and dropped"`
}

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config {
	return Config{
		AccessTokenTTL:      15 * time.Minute,
		RefreshTokenTTL:     720 * time.Hour,
		APITokenMaxTTL:      8760 * time.Hour,
		AdminEmail:          "admin@alexandria.local",
		LoginMaxFailures:    5,
		LoginFailureWindow:  15 * time.Minute,
		LoginRatePerAddress: 30,
		KeyRetention:        24 * time.Hour,

		LoginMaxFailuresPerAccount: 50,
		SignupRatePerAddress:       20,
		RefreshReuseGrace:          10 * time.Second,
		PasswordHashWait:           10 * time.Second,

		EmailVerifyTTL:              48 * time.Hour,
		PasswordResetTTL:            time.Hour,
		PasswordResetRatePerAddress: 20,
		PasswordResetPerAccount:     3,
	}
}

// Validate checks the configuration; messages name the setting.
func (c Config) Validate() error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if c.AccessTokenTTL < time.Minute {
		bad("identity.access_token_ttl: must be at least 1m")
	}
	if c.RefreshTokenTTL <= c.AccessTokenTTL {
		bad("identity.refresh_token_ttl: must be longer than access_token_ttl")
	}
	if c.APITokenMaxTTL < 24*time.Hour {
		bad("identity.api_token_max_ttl: must be at least 24h")
	}
	if _, reason := normalizeEmail(c.AdminEmail); reason != "" {
		bad("identity.admin_email: %s", reason)
	}
	if c.AdminPassword != "" {
		// The email rule is left out here: the admin address is usually a
		// role name ("admin@...") that an operator's pass phrase may well
		// contain; length, repetition and the common list still apply.
		if reason := domain.NewPasswordPolicy().Check(c.AdminPassword, ""); reason != "" {
			bad("identity.admin_password: %s", reason)
		}
	}
	if c.LoginMaxFailures < 1 {
		bad("identity.login_max_failures: must be at least 1")
	}
	if c.LoginFailureWindow < time.Second {
		bad("identity.login_failure_window: must be at least 1s")
	}
	if c.LoginRatePerAddress < 1 {
		bad("identity.login_rate_per_address: must be at least 1")
	}
	if c.LoginMaxFailuresPerAccount < c.LoginMaxFailures {
		bad("identity.login_max_failures_per_account: must be at least login_max_failures (%d)", c.LoginMaxFailures)
	}
	if c.SignupRatePerAddress < 1 {
		bad("identity.signup_rate_per_address: must be at least 1")
	}
	if c.RefreshReuseGrace < 0 || c.RefreshReuseGrace > time.Minute {
		bad("identity.refresh_reuse_grace: must be between 0 and 1m")
	}
	if c.PasswordHashConcurrency < 0 {
		bad("identity.password_hash_concurrency: must be 0 (automatic) or more")
	}
	if c.EmailVerifyTTL < time.Hour || c.EmailVerifyTTL > 30*24*time.Hour {
		bad("identity.email_verify_ttl: must be between 1h and 720h")
	}
	if c.PasswordResetTTL < 5*time.Minute || c.PasswordResetTTL > 24*time.Hour {
		bad("identity.password_reset_ttl: must be between 5m and 24h")
	}
	if c.PasswordResetRatePerAddress < 1 {
		bad("identity.password_reset_rate_per_address: must be at least 1")
	}
	if c.PasswordResetPerAccount < 1 {
		bad("identity.password_reset_per_account: must be at least 1")
	}
	if c.PasswordHashWait < 10*time.Millisecond {
		bad("identity.password_hash_wait: must be at least 10ms")
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			bad("identity.redis_url: %v", err)
		}
	}
	seen := map[string]bool{}
	for i, p := range c.OIDC.Providers {
		p.validate(fmt.Sprintf("identity.oidc.providers.%d", i), bad)
		if seen[p.ID] {
			bad("identity.oidc.providers.%d.id: %q is used twice", i, p.ID)
		}
		seen[p.ID] = true
	}
	if len(c.OIDC.Providers) == 0 && c.DisablePasswords {
		bad("identity.disable_passwords: needs identity.oidc.providers, or nobody could sign in")
	}
	if _, err := parseTOTPKeys(c.TOTPEncryptionKeys); err != nil {
		bad("identity.totp_encryption_keys: %v", err)
	}
	if c.KeyRetention <= c.AccessTokenTTL {
		bad("identity.key_retention: must be longer than access_token_ttl (%s), or tokens signed by a retired key stop verifying early", c.AccessTokenTTL)
	}
	return errors.Join(problems...)
}

// Service is the running identity target.
type Service struct {
	cfg     Config
	db      *db.DB
	store   *store
	events  *events.Pipeline
	keys    *keyRing
	limiter Counter
	policy  domain.PasswordPolicy
	logins  *prometheus.CounterVec
	log     *slog.Logger
	out     func(format string, args ...any)
	now     func() time.Time
	// hashes bounds concurrent argon2id work (password_gate.go).
	hashes *hashGate
	// clientAddr is the caller's address for the limits; tests replace it.
	clientAddr func(ctx context.Context) string
	// group runs the background work; ownGroup: New made it, Close stops it.
	group    *lifecycle.Group
	ownGroup bool
	// revocations is the list the follower keeps (app_revocations.go).
	revocations *auth.Revocations
	follower    *auth.Follower
	serviceKey  string
	// closeLimiter releases a shared limiter's connection (nil: none).
	closeLimiter func() error
	// oidc are the configured OpenID providers by name (app_oidc.go).
	oidc      map[string]*oidcProvider
	oidcOrder []string // as configured, for the sign-in buttons
	publicURL string
	// mailBase is where mailed links point (app_email_tokens.go).
	mailBase string
	// webauthn is the passkeys' relying party (nil: passkeys off).
	webauthn *webauthn.WebAuthn
	// totp seals TOTP secrets (nil: stored unsealed).
	totp *totpSealer
	// adminDone is closed once ensureAdmin has run at start, with its
	// error in adminErr (see Settle).
	adminDone chan struct{}
	adminErr  error
	// dummyHash is verified against when the email is unknown, so a wrong
	// email costs as much time as a wrong password (see decoyHash).
	dummyHash string
}

// New opens and migrates identity's store, makes sure a signing key and an
// administrator exist, and registers the routes.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "identity", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, fmt.Errorf("identity store: %w", err)
	}
	s, err := build(ctx, cfg, d, store)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return s, nil
}

func build(ctx context.Context, cfg Config, d module.Deps, sdb *db.DB) (svc *Service, err error) {
	if _, err := sdb.Migrate(ctx, Migrations); err != nil {
		return nil, fmt.Errorf("identity store: %w", err)
	}
	if d.Bus == nil {
		return nil, errors.New("identity: no event bus")
	}
	// The background work (outbox relay, refresh-token pruner) runs on the
	// target's group; built alone (unit tests), identity keeps its own.
	group, ownGroup := d.Group("identity")
	setup := d.EventsSetup("identity", sdb)
	setup.Group = group
	pipeline, err := events.New(ctx, setup)
	if err != nil {
		return nil, fmt.Errorf("identity events: %w", err)
	}
	s := &Service{cfg: cfg, db: sdb, store: &store{db: sdb, events: pipeline}, events: pipeline, policy: domain.NewPasswordPolicy(),
		log: d.Log(), out: d.Out, now: func() time.Time { return time.Now().UTC() },
		group: group, ownGroup: ownGroup}
	if s.out == nil {
		s.out = func(string, ...any) {}
	}
	s.limiter = newMemoryCounter(s.now)
	if cfg.RedisURL != "" {
		rc, err := newRedisCounter(ctx, cfg.RedisURL, "alexandria:identity:limits:")
		if err != nil {
			return nil, err
		}
		s.limiter, s.closeLimiter = rc, rc.Close
		defer func() {
			if err != nil {
				_ = rc.Close()
			}
		}()
	}
	s.clientAddr = httpx.ClientIP
	s.publicURL = d.PublicURL
	// Mailed links need an absolute URL: without http.public_url, the
	// address identity is reached at (as notify's links do).
	s.mailBase = d.PublicURL
	if s.mailBase == "" {
		s.mailBase = d.IdentityURL
	}
	s.webauthn = newRelyingParty(cfg, d.PublicURL)
	if s.totp, err = parseTOTPKeys(cfg.TOTPEncryptionKeys); err != nil {
		return nil, fmt.Errorf("identity.totp_encryption_keys: %w", err)
	}
	s.oidc = map[string]*oidcProvider{}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	for _, p := range cfg.OIDC.Providers {
		s.oidc[p.ID] = &oidcProvider{cfg: p, client: client}
		s.oidcOrder = append(s.oidcOrder, p.ID)
	}
	hashSlots := cfg.PasswordHashConcurrency
	if hashSlots == 0 {
		hashSlots = 2 * runtime.GOMAXPROCS(0)
	}
	s.hashes = newHashGate(hashSlots, cfg.PasswordHashWait)
	s.keys = newKeyRing(s.store, cfg.KeyRetention, s.now)
	if err := s.registerMetrics(d.Metrics); err != nil {
		return nil, err
	}
	dummy, err := decoyHash()
	if err != nil {
		return nil, err
	}
	s.dummyHash = dummy
	if err := s.keys.ensure(ctx); err != nil {
		return nil, fmt.Errorf("identity signing keys: %w", err)
	}
	if err := s.resealTOTP(ctx); err != nil {
		return nil, fmt.Errorf("identity totp secrets: %w", err)
	}
	if s.totp == nil {
		s.log.WarnContext(ctx, "identity.totp_encryption_keys is empty: TOTP secrets are stored unsealed")
	}
	// The first administrator's password hash takes a CPU for a while on a
	// new data directory: with SettleLater the shell starts the next
	// targets meanwhile and waits in Settle.
	s.adminDone = make(chan struct{})
	go func() {
		defer close(s.adminDone)
		s.adminErr = s.ensureAdmin(ctx)
	}()
	defer func() {
		if err != nil {
			<-s.adminDone // nothing may use the store once New has failed
		}
	}()
	if !d.SettleLater {
		if err := s.Settle(ctx); err != nil {
			return nil, err
		}
	}
	s.routes(d)
	pipeline.RegisterAdmin(d.API)
	// Started last, so a New that fails leaves no relay running.
	if err := pipeline.Start(); err != nil {
		return nil, fmt.Errorf("identity events: %w", err)
	}
	if err := group.Go("refresh-token pruner", s.pruneLoop(refreshPruneInterval)); err != nil {
		return nil, errors.Join(fmt.Errorf("identity: %w", err), s.stopOwnGroup(ctx))
	}
	if err := s.startRevocations(d); err != nil {
		return nil, errors.Join(fmt.Errorf("identity: %w", err), s.stopOwnGroup(ctx))
	}
	return s, nil
}

// registerMetrics exposes the pool statistics and the sign-in counter. A
// second copy of the service in one process shares the first one's counter.
func (s *Service) registerMetrics(reg prometheus.Registerer) error {
	s.logins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "alexandria_identity_logins_total",
		Help: "Sign-in attempts by result (success, bad_credentials, throttled, suspended).",
	}, []string{"result"})
	if reg == nil {
		return nil
	}
	if err := reg.Register(s.logins); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return fmt.Errorf("identity metrics: %w", err)
		}
		existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
		if !ok {
			return fmt.Errorf("identity metrics: %w", err)
		}
		s.logins = existing
	}
	if err := s.db.RegisterMetrics(reg, "identity"); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return fmt.Errorf("identity metrics: %w", err)
		}
	}
	return nil
}

// KeySource is the in-process source of identity's public keys, for a
// verifier in the same process (and for tests).
func (s *Service) KeySource() auth.KeySource { return s.keys }

// MigrationsFS returns identity's migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }

// Ready pings the store. Built alone, identity also reports its own
// background work, as the shell does for the target's group.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.ping(ctx); err != nil {
		return err
	}
	if s.ownGroup {
		return s.group.Err()
	}
	return nil
}

// Settle waits until the first administrator exists (or the start found
// one), which New leaves running when built with Deps.SettleLater.
func (s *Service) Settle(ctx context.Context) error {
	if s.adminDone == nil {
		return nil
	}
	select {
	case <-s.adminDone:
		if s.adminErr != nil {
			return fmt.Errorf("identity first administrator: %w", s.adminErr)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the background work (the shell has normally stopped its
// group already; stopping again is harmless), then releases the store.
func (s *Service) Close(ctx context.Context) error {
	// A start still creating the administrator finishes with the store.
	_ = s.Settle(ctx)
	var limiterErr error
	if s.closeLimiter != nil {
		limiterErr = s.closeLimiter()
	}
	return errors.Join(s.events.Close(ctx), s.stopOwnGroup(ctx), limiterErr, s.db.Close())
}

// stopOwnGroup stops the group identity made for itself; the shell's group
// is the shell's to stop.
func (s *Service) stopOwnGroup(ctx context.Context) error {
	if !s.ownGroup {
		return nil
	}
	return s.group.Stop(ctx)
}
