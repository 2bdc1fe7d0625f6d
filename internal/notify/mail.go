package notify

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	mail "github.com/wneessen/go-mail"
)

// Mail is one message to one recipient.
type Mail struct {
	ID          string // the delivery: file name and Message-ID part
	To          string
	Subject     string
	Text        string
	HTML        string
	Unsubscribe string // RFC 8058 one-click URL; empty: no List-Unsubscribe
}

// mailer sends mails: over SMTP, or into .eml files (the embedded default).
type mailer interface {
	Send(ctx context.Context, m Mail) error
}

func buildMsg(from string, m Mail) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	if m.Unsubscribe != "" {
		msg.SetGenHeader(mail.Header("List-Unsubscribe"), "<"+m.Unsubscribe+">")
		msg.SetGenHeader(mail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	}
	return msg, nil
}

// fileMailer writes each mail as <dir>/<id>.eml and logs it.
type fileMailer struct {
	dir  string
	from string
	log  *slog.Logger
}

func (f fileMailer) Send(ctx context.Context, m Mail) error {
	msg, err := buildMsg(f.from, m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.dir, 0o750); err != nil {
		return err
	}
	path := filepath.Join(f.dir, m.ID+".eml")
	tmp := path + ".tmp"
	if err := msg.WriteToFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	f.log.InfoContext(ctx, "notify: mail written", "to", m.To, "subject", m.Subject, "file", path)
	return nil
}

// smtpMailer sends through an SMTP server (go-mail).
type smtpMailer struct {
	cfg  Config
	host string
	port int
}

func newSMTPMailer(cfg Config) (*smtpMailer, error) {
	u, err := url.Parse(cfg.SMTPURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("notify.smtp_url: want smtp://[user:password@]host:port or smtps://…")
	}
	port := 25
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("notify.smtp_url: bad port")
		}
	}
	return &smtpMailer{cfg: cfg, host: u.Hostname(), port: port}, nil
}

func (s *smtpMailer) Send(ctx context.Context, m Mail) error {
	msg, err := buildMsg(s.cfg.MailFrom, m)
	if err != nil {
		return err
	}
	u, _ := url.Parse(s.cfg.SMTPURL)
	opts := []mail.Option{mail.WithPort(s.port), mail.WithTimeout(s.cfg.SendTimeout)}
	switch {
	case u.Scheme == "smtps":
		opts = append(opts, mail.WithSSL())
	case s.cfg.SMTPRequireTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	c, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// mailFor renders a notification as a mail.
func mailFor(d delivery, to, link, unsubscribe string) Mail {
	text := d.Body + "\n\n" + link + "\n\n-- \nStop these e-mails: " + unsubscribe + "\n"
	body := "<!doctype html><html><body><p>" + html.EscapeString(d.Body) + "</p><p><a href=\"" + html.EscapeString(link) +
		"\">Open</a></p><hr><p><small><a href=\"" + html.EscapeString(unsubscribe) + "\">Stop these e-mails</a></small></p></body></html>"
	return Mail{ID: d.ID, To: to, Subject: d.Title, Text: text, HTML: body, Unsubscribe: unsubscribe}
}
