package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// ExpireReservations expires reservations not collected by the end of their slot plus
// the grace period, releasing their stock.
func ExpireReservations(grace time.Duration) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		n, err := store.ExpireReservations(ctx, now, grace)
		return fmt.Sprintf("expired %d reservations", n), err
	}
}

// QueueReminders writes a reminder for each reservation to be collected tomorrow.
func QueueReminders(loc *time.Location) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		tomorrow := models.NewDate(now.In(loc)).AddDays(1)
		n, err := store.QueueReminders(ctx, tomorrow, loc)
		return fmt.Sprintf("queued %d reminders for %s", n, tomorrow), err
	}
}

// SendOutbox sends what waits in the outbox, when a mail server is configured; messages
// that fail are tried again on the next run.
func SendOutbox(send models.Sender) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		if send == nil {
			return "no mail server configured (SCRAPSTORE_SMTP_URL): messages stay in the outbox", nil
		}
		sent, failed, err := store.SendOutbox(ctx, send)
		if err == nil && failed > 0 {
			err = fmt.Errorf("%d messages could not be sent; they will be tried again", failed)
		}
		return fmt.Sprintf("sent %d, failed %d", sent, failed), err
	}
}
