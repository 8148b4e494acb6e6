package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// OutboxMessage is an email waiting to be sent, or sent.
type OutboxMessage struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind"`
	ReservationID *int64     `json:"reservation_id"`
	ToEmail       string     `json:"to_email"`
	Subject       string     `json:"subject"`
	Body          string     `json:"body"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"`
}

func (OutboxMessage) TableName() string { return "outbox" }

// MaxSendAttempts is how often a message is tried before it is left for a person to see.
const MaxSendAttempts = 8

// QueueReminders writes a reminder into the outbox for each reservation whose slot is on
// day (in loc), once per reservation however often it runs. It returns how many it wrote.
func (s *Store) QueueReminders(ctx context.Context, day Date, loc *time.Location) (int, error) {
	type row struct {
		ID        int64
		SlotStart time.Time
		Name      string
		Email     string
	}
	var rows []row
	err := s.DB(ctx).Table("reservations r").Select("r.id, r.slot_start, o.name, o.email").
		Joins("JOIN organisations o ON o.id = r.organisation_id").
		Where("r.status IN ? AND r.slot_start >= ? AND r.slot_start < ? AND o.email <> ''", openReservations, day.Start(loc).
			UTC(), day.AddDays(1).Start(loc).UTC()).
		Order("r.id").Scan(&rows).Error
	if err != nil {
		return 0, err
	}
	written := 0
	for _, r := range rows {
		id := r.ID
		when := r.SlotStart.In(loc).Format("Monday 2 January at 15:04")
		m := OutboxMessage{
			Kind: "reservation_reminder", ReservationID: &id, ToEmail: r.Email, CreatedAt: s.Now(),
			Subject: fmt.Sprintf("Your scrapstore visit: %s", when),
			Body: fmt.Sprintf("Hello %s,\n\nThis is a reminder that reservation %d is ready for you to collect on %s.\n"+
				"If you cannot come, please cancel it so that other groups can have the materials.\n\nThank you,\nThe Scrapstore team\n", r.Name, r.ID, when),
		}
		err := s.writeAlone(ctx, func(db *gorm.DB) error {
			res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&m)
			written += int(res.RowsAffected)
			return res.Error
		})
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// Sender sends one email.
type Sender func(ctx context.Context, to, subject, body string) error

// SendOutbox tries every unsent message that has attempts left, recording each result.
func (s *Store) SendOutbox(ctx context.Context, send Sender) (sent, failed int, err error) {
	var msgs []OutboxMessage
	if err := s.DB(ctx).Where("sent_at IS NULL AND attempts < ?", MaxSendAttempts).Order("id").Limit(500).Find(&msgs).Error; err != nil {
		return 0, 0, err
	}
	for _, m := range msgs {
		fields := map[string]any{"attempts": m.Attempts + 1}
		if sendErr := send(ctx, m.ToEmail, m.Subject, m.Body); sendErr != nil {
			failed++
			fields["last_error"] = strings.TrimSpace(sendErr.Error())
		} else {
			sent++
			fields["sent_at"], fields["last_error"] = s.Now(), ""
		}
		err := s.writeAlone(ctx, func(db *gorm.DB) error {
			return db.Model(&OutboxMessage{}).Where("id = ?", m.ID).Updates(fields).Error
		})
		if err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// Outbox pages through messages, newest first.
func (s *Store) Outbox(ctx context.Context, unsentOnly bool, page Page) ([]OutboxMessage, string, error) {
	q := s.DB(ctx).Model(&OutboxMessage{})
	if unsentOnly {
		q = q.Where("sent_at IS NULL")
	}
	return Paginate[OutboxMessage](q, page, KeyIDDesc, func(m OutboxMessage) Key { return Key{ID: m.ID} })
}
