package jobs

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// SMTPSender sends mail through the server in rawURL:
// smtp://user:password@host:port?from=store@example.org (user and password optional).
func SMTPSender(rawURL string) (models.Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("must be smtp://[user:password@]host:port?from=address")
	}
	from := u.Query().Get("from")
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("needs ?from= with the sender's email address")
	}
	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "25")
	}
	var auth smtp.Auth
	if u.User != nil {
		pw, _ := u.User.Password()
		h, _, _ := net.SplitHostPort(host)
		auth = smtp.PlainAuth("", u.User.Username(), pw, h)
	}
	return func(ctx context.Context, to, subject, body string) error {
		if strings.ContainsAny(to+subject, "\r\n") {
			return fmt.Errorf("refusing a header with a line break")
		}
		msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s",
			from, to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n"))
		return smtp.SendMail(host, auth, from, []string{to}, []byte(msg))
	}, nil
}
