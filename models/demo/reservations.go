package demo

import (
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// reservations gives member groups a year of visits (collected reservations, with
// walk-ins), some cancelled and expired, and upcoming ones pending and confirmed that
// hold stock and slot places through the same rules as the API. The demo store is in
// Sandwell, so its slots are in London time.
func (d *demo) reservations() error {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return err
	}
	s := d.store
	var items []models.StockItem
	if err := d.tx.Where("on_hand_milli > reserved_milli").Order("id").Limit(200).Find(&items).Error; err != nil || len(items) == 0 {
		return err
	}
	var orgs []models.Organisation
	if err := d.tx.Where("membership_expires_on >= ?", d.today).Order("id").Find(&orgs).Error; err != nil {
		return err
	}
	staffID := d.staffID
	// The past year: records of visits; the stock they took is in the ledger's issues.
	var past []models.Reservation
	for day := d.today.AddDays(-360); day.Before(d.today.Time); day = day.AddDays(1) {
		if wd := day.Weekday(); wd == time.Sunday || wd == time.Monday {
			continue
		}
		for i := 0; i < d.rng.IntN(3)*d.scale; i++ {
			o := orgs[d.rng.IntN(len(orgs))]
			at := time.Date(day.Year(), day.Month(), day.Day(), 10+d.rng.IntN(6), 0, 0, 0, loc).UTC()
			r := models.Reservation{OrganisationID: o.ID, SlotStart: at, SlotEnd: at.Add(30 * time.Minute), CreatedBy: &staffID,
				CreatedAt: at.Add(-72 * time.Hour),
				UpdatedAt: at}
			switch n := d.rng.IntN(20); {
			case n < 16:
				r.Status, r.CollectedAt = models.StatusCollected, &at
			case n < 18:
				r.Status, r.CancelledAt = models.StatusCancelled, &at
			default:
				exp := at.Add(25 * time.Hour)
				r.Status, r.ExpiredAt = models.StatusExpired, &exp
			}
			past = append(past, r)
		}
	}
	if err := d.tx.Omit("Lines").CreateInBatches(&past, 500).Error; err != nil {
		return err
	}
	var lines []models.ReservationLine
	for _, r := range past {
		taken := map[int64]bool{}
		for j := 0; j < 1+d.rng.IntN(3); j++ {
			it := items[d.rng.IntN(len(items))]
			if taken[it.ID] {
				continue
			}
			taken[it.ID] = true
			milli := models.Milli(1+d.rng.IntN(5)) * 1000
			l := models.ReservationLine{ReservationID: r.ID, StockItemID: it.ID, QuantityMilli: milli, GramsPerUnit: it.GramsPerUnit}
			if r.Status == models.StatusCollected {
				l.CollectedMilli = &milli
			}
			lines = append(lines, l)
		}
	}
	if err := d.tx.CreateInBatches(&lines, 1000).Error; err != nil {
		return err
	}
	// The coming fortnight: reservations made through the rules, holding stock.
	staff := &models.User{ID: staffID, Role: models.RoleStaff}
	made := 0
	for day := d.today.AddDays(1); day.Before(d.today.AddDays(15).Time) && made < 12; day = day.AddDays(1) {
		slots, err := s.Slots(d.ctx, day, day, loc)
		if err != nil {
			return err
		}
		for _, sl := range slots {
			if d.rng.IntN(3) != 0 || made >= 12 {
				continue
			}
			o := orgs[d.rng.IntN(len(orgs))]
			it := items[d.rng.IntN(len(items))]
			start := sl.Start
			_, err := s.CreateReservation(d.ctx, staff, models.ReservationInput{OrganisationID: &o.ID, SlotStart: &start,
				Lines: []models.LineInput{{StockItemID: it.ID, Quantity: 1}}, OverrideReason: "demo"}, models.ReservationRules{Location: loc,
				AutoConfirm: made%2 == 0})
			if err == nil {
				made++
			}
		}
	}
	return nil
}
