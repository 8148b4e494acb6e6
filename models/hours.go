package models

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// VolunteerOf is the volunteer record of a signed-in user: the one with the user's
// email. A user is linked to no record when none has their email, and to none when two
// have it (the store should merge them), so that nobody logs time on another's record.
func (s *Store) VolunteerOf(ctx context.Context, u *User) (*Volunteer, error) {
	email := normaliseEmail(u.Email)
	if email == "" {
		return nil, fmt.Errorf("volunteer for user %d: %w", u.ID, ErrNotFound)
	}
	var found []Volunteer
	if err := s.DB(ctx).Where("LOWER(email) = ?", email).Order("id").Limit(2).Find(&found).Error; err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("volunteer with email %s: %w", email, ErrNotFound)
	case 2:
		return nil, Conflict("two volunteer records have the email %s: ask a manager to merge them", email)
	}
	return &found[0], nil
}

// Hours fetches one entry of hours.
func (s *Store) Hours(ctx context.Context, id int64) (*VolunteerHours, error) {
	var h VolunteerHours
	if err := s.DB(ctx).First(&h, id).Error; err != nil {
		return nil, notFound(err, "volunteer hours", id)
	}
	return &h, nil
}

// CorrectHours changes an entry's hours or activity. The credits earned follow: the
// difference moves between the store and the volunteer in the same transaction, and a
// correction down that would take back credits already spent is refused.
func (s *Store) CorrectHours(ctx context.Context, actor *User, id int64, hours float64, activity string) (*VolunteerHours, error) {
	var p Problems
	q := hours * 4
	if hours <= 0 || hours > 12 || math.Abs(q-math.Round(q)) > 1e-9 {
		p.Add("hours", "must be in quarter hours, more than 0 and at most 12")
	}
	if !slices.Contains(Activities, activity) {
		p.Add("activity", "must be one of %s", strings.Join(Activities, ", "))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	quarters := Quarters(math.Round(q))
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var h VolunteerHours
		if err := tx.First(&h, id).Error; err != nil {
			return notFound(err, "volunteer hours", id)
		}
		var total int64
		if err := tx.Model(&VolunteerHours{}).Where("volunteer_id = ? AND day = ? AND id <> ?", h.VolunteerID, h.Day, h.ID).
			Select("COALESCE(SUM(quarters), 0)").Scan(&total).Error; err != nil {
			return err
		}
		if total+int64(quarters) > 48 {
			return Invalid("hours", "that makes more than 12 hours on %s", h.Day)
		}
		before := map[string]any{"hours": h.Quarters.Hours(), "activity": h.Activity}
		delta := quarters - h.Quarters
		if err := tx.Model(&h).Updates(map[string]any{"quarters": quarters, "activity": activity}).Error; err != nil {
			return err
		}
		if delta != 0 {
			var acct TimebankAccount
			if err := tx.Where("volunteer_id = ?", h.VolunteerID).Take(&acct).Error; err != nil {
				return err
			}
			store, err := s.storeAccount(tx)
			if err != nil {
				return err
			}
			from, to, note := store, acct.ID, fmt.Sprintf("correction of the hours on %s: %g more", h.Day, delta.Hours())
			if delta < 0 {
				from, to, delta, note = acct.ID, store, -delta, fmt.Sprintf("correction of the hours on %s: %g fewer", h.Day, (-delta).Hours())
			}
			if _, err := s.transfer(tx, actor, from, to, delta, note, &h.ID); err != nil {
				return err
			}
		}
		return s.audit(tx, actor, "correct_hours", "volunteer", h.VolunteerID,
			diff(before, map[string]any{"hours": hours, "activity": activity}))
	})
	if err != nil {
		return nil, err
	}
	return s.Hours(ctx, id)
}
