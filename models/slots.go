package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SlotRule opens the store to member groups on a weekday, cut into slots of a length
// with a number of groups a slot (e.g. Thursdays 16:00-19:00, a late evening for schools).
type SlotRule struct {
	ID          int64     `json:"id"`
	Weekday     int       `json:"weekday"` // 0 Sunday to 6 Saturday, as Go's time.Weekday
	Starts      string    `json:"starts"`  // HH:MM, the store's time
	Ends        string    `json:"ends"`
	SlotMinutes int       `json:"slot_minutes"`
	Places      int       `json:"places"`
	Label       string    `json:"label"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ClosedDay is a day the store does not open to members.
type ClosedDay struct {
	ID        int64     `json:"id"`
	Day       Date      `json:"day"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// SlotBooking counts the bookings of one slot.
type SlotBooking struct {
	StartsAt time.Time `gorm:"primaryKey"`
	Places   int
	Booked   int
}

// Slot is one visit slot and how many places are left.
type Slot struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Places int       `json:"places"`
	Free   int       `json:"free"`
	Label  string    `json:"label"`
}

// parseClock reads HH:MM as minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// CreateSlotRule adds a weekly opening for members.
func (s *Store) CreateSlotRule(ctx context.Context, actor *User, r SlotRule) (*SlotRule, error) {
	var p Problems
	if r.Weekday < 0 || r.Weekday > 6 {
		p.Add("weekday", "must be 0 (Sunday) to 6 (Saturday)")
	}
	from, ok1 := parseClock(r.Starts)
	to, ok2 := parseClock(r.Ends)
	if !ok1 {
		p.Add("starts", "must be a time HH:MM")
	}
	if !ok2 {
		p.Add("ends", "must be a time HH:MM")
	}
	if ok1 && ok2 && to <= from {
		p.Add("ends", "must be after starts")
	}
	if r.SlotMinutes < 10 || r.SlotMinutes > 600 {
		p.Add("slot_minutes", "must be between 10 and 600")
	} else if ok1 && ok2 && to > from && (to-from)%r.SlotMinutes != 0 {
		p.Add("slot_minutes", "must divide the opening (%d minutes) into whole slots", to-from)
	}
	if r.Places < 1 || r.Places > 100 {
		p.Add("places", "must be between 1 and 100")
	}
	r.Label = strings.TrimSpace(r.Label)
	checkTextUpTo(&p, "label", r.Label, MaxName, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var rules []SlotRule
		if err := tx.Where("weekday = ?", r.Weekday).Find(&rules).Error; err != nil {
			return err
		}
		for _, o := range rules {
			os, _ := parseClock(o.Starts)
			oe, _ := parseClock(o.Ends)
			if from < oe && os < to {
				return Invalid("starts", "overlaps the opening %s-%s on the same day", o.Starts, o.Ends)
			}
		}
		r.ID = 0
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "slot_rule", r.ID,
			map[string]any{"weekday": r.Weekday, "starts": r.Starts, "ends": r.Ends, "slot_minutes": r.SlotMinutes, "places": r.Places})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// SlotRules lists the weekly openings.
func (s *Store) SlotRules(ctx context.Context, page Page) ([]SlotRule, string, error) {
	return Paginate[SlotRule](s.DB(ctx).Model(&SlotRule{}), page, KeyID, func(r SlotRule) Key { return Key{ID: r.ID} })
}

// DeleteSlotRule removes a weekly opening; slots already booked stay booked.
func (s *Store) DeleteSlotRule(ctx context.Context, actor *User, id int64) error {
	return s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Delete(&SlotRule{}, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("slot rule %d: %w", id, ErrNotFound)
		}
		return s.audit(tx, actor, "delete", "slot_rule", id, nil)
	})
}

// CloseDay marks a day closed to members.
func (s *Store) CloseDay(ctx context.Context, actor *User, day Date, reason string) (*ClosedDay, error) {
	var p Problems
	requireDay(&p, "day", day)
	checkTextUpTo(&p, "reason", reason, MaxLine, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	c := &ClosedDay{Day: day, Reason: strings.TrimSpace(reason), CreatedAt: s.Now()}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(c)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("%s is already closed", day)
		}
		return s.audit(tx, actor, "create", "closed_day", c.ID, map[string]any{"day": day, "reason": c.Reason})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ClosedDays lists closed days from a day on, in order.
func (s *Store) ClosedDays(ctx context.Context, from Date, page Page) ([]ClosedDay, string, error) {
	q := s.DB(ctx).Model(&ClosedDay{}).Where("day >= ?", from)
	return Paginate[ClosedDay](q, page, Order{Column: "day"}, func(c ClosedDay) Key { return Key{Sort: c.Day, ID: c.ID} })
}

// MaxSlotDays is the longest period GET /slots covers at once.
const MaxSlotDays = 62

// Slots lists the visit slots from one day to another (inclusive) in the store's zone,
// leaving out closed days, with the places left in each.
func (s *Store) Slots(ctx context.Context, from, to Date, loc *time.Location) ([]Slot, error) {
	if to.Before(from.Time) {
		return nil, Invalid("to", "must not be before from")
	}
	if to.Sub(from.Time) > MaxSlotDays*24*time.Hour {
		return nil, Invalid("to", "the period may be at most %d days", MaxSlotDays)
	}
	var rules []SlotRule
	if err := s.DB(ctx).Order("weekday, starts").Find(&rules).Error; err != nil {
		return nil, err
	}
	var closed []ClosedDay
	if err := s.DB(ctx).Where("day >= ? AND day <= ?", from, to).Find(&closed).Error; err != nil {
		return nil, err
	}
	isClosed := map[string]bool{}
	for _, c := range closed {
		isClosed[c.Day.String()] = true
	}
	var out []Slot
	for day := from; !day.After(to.Time); day = day.AddDays(1) {
		if isClosed[day.String()] {
			continue
		}
		for _, r := range rules {
			if time.Weekday(r.Weekday) != day.Weekday() {
				continue
			}
			out = append(out, ruleSlots(r, day, loc)...)
		}
	}
	if len(out) == 0 {
		return []Slot{}, nil
	}
	var booked []SlotBooking
	if err := s.DB(ctx).Where("starts_at >= ? AND starts_at <= ?", out[0].Start, out[len(out)-1].Start).Find(&booked).Error; err != nil {
		return nil, err
	}
	taken := map[int64]int{}
	for _, b := range booked {
		taken[b.StartsAt.Unix()] = b.Booked
	}
	for i := range out {
		out[i].Free = max(out[i].Places-taken[out[i].Start.Unix()], 0)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// ruleSlots cuts a rule's opening on a day into slots, in the store's wall-clock time
// (so a slot at 16:00 stays at 16:00 across the clock change).
func ruleSlots(r SlotRule, day Date, loc *time.Location) []Slot {
	from, _ := parseClock(r.Starts)
	to, _ := parseClock(r.Ends)
	var out []Slot
	for m := from; m+r.SlotMinutes <= to; m += r.SlotMinutes {
		start := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, loc).UTC()
		end := time.Date(day.Year(), day.Month(), day.Day(), (m+r.SlotMinutes)/60, (m+r.SlotMinutes)%60, 0, 0, loc).UTC()
		out = append(out, Slot{Start: start, End: end, Places: r.Places, Free: r.Places, Label: r.Label})
	}
	return out
}

// findSlot is the slot that starts at start, or a validation error naming field.
func (s *Store) findSlot(tx *gorm.DB, start time.Time, loc *time.Location, field string) (*Slot, error) {
	day := NewDate(start.In(loc))
	// The day's rules, none on a closed day: one statement on the way to a booking.
	var rules []SlotRule
	if err := tx.Where("weekday = ? AND NOT EXISTS (SELECT 1 FROM closed_days WHERE day = ?)", int(day.Weekday()), day).Find(&rules).Error; err != nil {
		return nil, err
	}
	for _, r := range rules {
		for _, sl := range ruleSlots(r, day, loc) {
			if sl.Start.Equal(start.UTC()) {
				return &sl, nil
			}
		}
	}
	if len(rules) == 0 {
		var closed int64
		if err := tx.Model(&ClosedDay{}).Where("day = ?", day).Count(&closed).Error; err != nil {
			return nil, err
		}
		if closed > 0 {
			return nil, Invalid(field, "the store is closed to members on %s", day)
		}
	}
	return nil, Invalid(field, "%s is not the start of a visit slot", start.In(loc).Format("Mon 2 Jan 2006 15:04"))
}

// bookSlot takes one place in slot (as findSlot found it), inside tx. The place is taken
// by one statement that adds the slot's row or counts one more on it while there is room,
// so however many book at once, a slot is never overbooked; a full slot is a conflict.
func (s *Store) bookSlot(tx *gorm.DB, slot *Slot, loc *time.Location) error {
	res := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "starts_at"}},
		DoUpdates: clause.Set{{Column: clause.Column{Name: "booked"}, Value: gorm.Expr("slot_bookings.booked + 1")}},
		Where:     clause.Where{Exprs: []clause.Expression{gorm.Expr("slot_bookings.booked < ?", slot.Places)}},
	}).Create(&SlotBooking{StartsAt: slot.Start, Places: slot.Places, Booked: 1})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return Conflict("the slot at %s is full", slot.Start.In(loc).Format("Mon 2 Jan 2006 15:04"))
	}
	return nil
}

// releaseSlot gives back a place taken by bookSlot.
func (s *Store) releaseSlot(tx *gorm.DB, start time.Time) error {
	return tx.Model(&SlotBooking{}).Where("starts_at = ? AND booked > 0", start.UTC()).Update("booked", gorm.Expr("booked - 1")).Error
}
