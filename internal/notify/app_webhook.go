package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Webhooks: an author's members (or an administrator) register a URL and
// the event types they want; each event is signed in the Standard Webhooks
// style (webhook-id, webhook-timestamp, webhook-signature: v1,<base64
// HMAC-SHA256 of "id.timestamp.body">), retried with backoff, logged, and
// a webhook failing webhook_disable_after times in a row is disabled.
// Targets on loopback, private, link-local and other special ranges are
// refused when registered and again when dialled (DNS may change), unless
// the operator's webhook_allow names them.

// ---- SSRF guard ----

func parseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR or address", part)
			}
			part = a.String() + "/" + strconv.Itoa(a.BitLen())
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR or address", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

var specialRanges = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32", "64:ff9b::/96", "2001:db8::/32"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

type ssrfGuard struct{ allow []netip.Prefix }

// check refuses an address a webhook must not reach.
func (g ssrfGuard) check(ip netip.Addr) error {
	ip = ip.Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsUnspecified() {
		return fmt.Errorf("%s is a loopback, private, link-local or multicast address", ip)
	}
	for _, p := range specialRanges {
		if p.Contains(ip) {
			return fmt.Errorf("%s is in a reserved range (%s)", ip, p)
		}
	}
	return nil
}

// control runs on every socket before it connects: the address actually
// dialled, after DNS, is checked.
func (g ssrfGuard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if err := g.check(ip); err != nil {
		return fmt.Errorf("webhook target refused: %w", err)
	}
	return nil
}

func (g ssrfGuard) client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: g.control}
	tr := &http.Transport{Proxy: nil, DialContext: d.DialContext, TLSHandshakeTimeout: timeout,
		ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// checkURL validates a webhook URL and every address its host resolves to.
func (s *Service) checkURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errs.InvalidField("body.url", "must be an absolute http(s) URL without credentials or fragment")
	}
	host := u.Hostname()
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return errs.InvalidField("body.url", "the host %q does not resolve", host)
		}
		ips = addrs
	}
	for _, ip := range ips {
		if err := s.guard.check(ip); err != nil {
			return errs.InvalidField("body.url", "refused: %s (an operator may allow it with notify.webhook_allow)", err.Error())
		}
	}
	return nil
}

// ---- commands ----

// webhookSecret returns the signing key of a secret: whsec_<base64>, or
// the secret's own bytes.
func webhookKey(secret string) []byte {
	if b, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(b); err == nil {
			return key
		}
	}
	return []byte(secret)
}

func (s *Service) createWebhook(ctx context.Context, p auth.Principal, authorID, rawURL string, types []string, secret string) (domain.Webhook, error) {
	var v errs.Validation
	if !domain.ValidID(authorID) {
		v.Add("body.author_id", "must be an author ID")
	}
	if err := domain.CheckWebhookTypes(types); err != nil {
		v.Add("body.event_types", "%s", err.Error())
	}
	if secret != "" && (len(secret) < 24 || len(secret) > 200) {
		v.Add("body.secret", "must be 24 to 200 characters (or omitted: one is generated)")
	}
	if err := v.Err(); err != nil {
		return domain.Webhook{}, err
	}
	if err := s.mayManage(ctx, p, authorID); err != nil {
		return domain.Webhook{}, err
	}
	if err := s.checkURL(ctx, rawURL); err != nil {
		return domain.Webhook{}, err
	}
	if secret == "" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		secret = "whsec_" + base64.StdEncoding.EncodeToString(key)
	}
	w := domain.Webhook{ID: uuid.Must(uuid.NewV7()).String(), AuthorID: authorID, CreatedBy: p.UserID, URL: rawURL,
		EventTypes: types, Secret: secret, Enabled: true, CreatedAt: s.now()}
	return w, s.store.addWebhook(ctx, w)
}

// mayManage lets an author's members and administrators manage its webhooks.
func (s *Service) mayManage(ctx context.Context, p auth.Principal, authorID string) error {
	if p.IsAdmin() {
		return nil
	}
	ok, err := s.store.isMember(ctx, authorID, p.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Forbiddenf("only the author's members and administrators manage its webhooks")
	}
	return nil
}

// ownWebhook returns a webhook the caller may manage; others' are not found.
func (s *Service) ownWebhook(ctx context.Context, p auth.Principal, id string) (domain.Webhook, error) {
	if !domain.ValidID(id) {
		return domain.Webhook{}, errs.NotFoundf("no such webhook")
	}
	w, err := s.store.webhook(ctx, id)
	if errors.Is(err, errNoWebhook) {
		return w, errs.NotFoundf("no such webhook")
	}
	if err != nil {
		return w, err
	}
	if err := s.mayManage(ctx, p, w.AuthorID); err != nil {
		return w, errs.NotFoundf("no such webhook")
	}
	return w, nil
}

// queueWebhooks queues an event for the webhooks of the authors.
func (s *Service) queueWebhooks(ctx context.Context, st *Store, authors []string, typ, key string, data map[string]any) error {
	body, err := json.Marshal(map[string]any{"type": typ, "timestamp": s.now(), "data": data})
	if err != nil {
		return err
	}
	n, err := st.queueWebhooks(ctx, authors, typ, key, body, s.now())
	if n > 0 {
		time.AfterFunc(50*time.Millisecond, s.wakeWebhooks)
	}
	return err
}

func (s *Service) wakeWebhooks() {
	select {
	case s.webhookWake <- struct{}{}:
	default:
	}
}

// ---- the sender ----

func (s *Service) runWebhooks(poll time.Duration) func(ctx context.Context) error {
	limit := max(20, 16*s.cfg.WebhookWorkers)
	return s.runRounds("webhook", poll, s.webhookWake, func(ctx context.Context) (int, error) { return s.sendDueWebhooks(ctx, limit) })
}

// sendDueWebhooks sends up to limit due deliveries on webhook_workers
// goroutines. One endpoint's deliveries stay on one goroutine, in order;
// after a failure the endpoint gets nothing more this round (the failed
// one waits for its backoff, the others for the next round), and a
// webhook disabled meanwhile gets nothing more at all.
func (s *Service) sendDueWebhooks(ctx context.Context, limit int) (int, error) {
	due, err := s.store.dueWebhookDeliveries(ctx, s.now(), limit)
	if err != nil {
		return 0, err
	}
	var n atomic.Int64
	err = inParallel(ctx, s.cfg.WebhookWorkers, groupBy(due, func(d webhookDelivery) string { return d.WebhookID }),
		func(ctx context.Context, group []webhookDelivery) error {
			for _, d := range group {
				ok, err := s.store.claimWebhookDelivery(ctx, d, s.now().Add(2*s.cfg.WebhookTimeout+time.Minute))
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				n.Add(1)
				d.Attempts++
				if !s.sendWebhook(ctx, d) {
					return nil
				}
			}
			return nil
		})
	return int(n.Load()), err
}

// sign returns the Standard Webhooks signature header value.
func sign(secret, id string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, webhookKey(secret))
	fmt.Fprintf(mac, "%s.%d.", id, ts)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// sendWebhook sends one delivery and records the outcome; it reports
// whether the endpoint took it.
func (s *Service) sendWebhook(ctx context.Context, d webhookDelivery) bool {
	now := s.now()
	body := []byte(d.Payload)
	code, err := func() (int, error) {
		rctx, cancel := context.WithTimeout(ctx, s.cfg.WebhookTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(rctx, http.MethodPost, d.URL, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		ts := time.Now().Unix()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Alexandria-Webhooks/1")
		req.Header.Set("webhook-id", d.ID)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("webhook-signature", sign(d.Secret, d.ID, ts, body))
		resp, err := s.webhookClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
		}
		return resp.StatusCode, nil
	}()
	state, next, msg := stateSent, now, ""
	if err != nil {
		s.metrics.failures.WithLabelValues("webhook").Inc()
		msg = truncate(err.Error(), 500)
		state, next = statePending, now.Add(s.cfg.RetryBase<<min(d.Attempts-1, 16))
		if d.Attempts >= s.cfg.MaxAttempts {
			state = stateFailed
		}
		s.log.WarnContext(ctx, "notify: webhook delivery failed", "webhook_id", d.WebhookID, "delivery_id", d.ID, "attempt", d.Attempts, "err", err)
	} else {
		s.metrics.sent.WithLabelValues("webhook").Inc()
	}
	disabled, ferr := s.store.finishWebhookDelivery(ctx, d, state, code, msg, next, now, s.cfg.WebhookDisableAfter)
	if ferr != nil {
		s.log.ErrorContext(ctx, "notify: recording a webhook delivery failed", "delivery_id", d.ID, "err", ferr)
	}
	if disabled {
		s.log.WarnContext(ctx, "notify: webhook disabled after repeated failures", "webhook_id", d.WebhookID)
	}
	return err == nil
}
