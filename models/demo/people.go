package demo

import (
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
)

// people adds volunteers, placements and apprentices with a year of hours (each hour a
// timebank credit), some credits spent, and workshops with attendees.
func (d *demo) people() error {
	s := d.store
	staff := &models.User{ID: d.staffID, Role: models.RoleStaff}
	kinds := []string{"volunteer", "volunteer", "volunteer", "placement", "apprentice"}
	var vols []*models.Volunteer
	for i := 0; i < 18; i++ {
		in := models.VolunteerInput{Name: d.person(), Kind: kinds[i%len(kinds)], StartedOn: d.today.AddDays(-30 - d.rng.IntN(700))}
		if in.Kind == "placement" && len(d.orgIDs) > 0 {
			in.PlacedByOrganisationID = &d.orgIDs[d.rng.IntN(len(d.orgIDs))]
		}
		v, err := s.CreateVolunteer(d.ctx, staff, in, d.today)
		if err != nil {
			return err
		}
		vols = append(vols, v)
	}
	// A year of hours, written in batches: each hour is a credit from the store, so the
	// accounts move by the same amounts as LogHours would move them.
	accounts := map[int64]int64{}
	var acctRows []models.TimebankAccount
	if err := d.tx.Where("volunteer_id IS NOT NULL").Find(&acctRows).Error; err != nil {
		return err
	}
	for _, a := range acctRows {
		accounts[*a.VolunteerID] = a.ID
	}
	var hours []models.VolunteerHours
	for day := d.today.AddDays(-364); day.Before(d.today.Time); day = day.AddDays(1) {
		if day.Weekday() == time.Sunday {
			continue
		}
		for _, v := range vols {
			if d.rng.IntN(4) == 0 {
				hours = append(hours, models.VolunteerHours{VolunteerID: v.ID, Day: day, Quarters: models.Quarters(2 + d.rng.IntN(20)),
					Activity: models.Activities[d.rng.IntN(len(models.Activities))], RecordedBy: &staff.ID, CreatedAt: d.now})
			}
		}
	}
	if err := d.tx.CreateInBatches(&hours, 1000).Error; err != nil {
		return err
	}
	storeID, err := s.StoreAccountID(d.ctx)
	if err != nil {
		return err
	}
	var transfers []models.Transfer
	earned := map[int64]models.Quarters{}
	for _, h := range hours {
		id := h.ID
		transfers = append(transfers, models.Transfer{FromAccount: storeID, ToAccount: accounts[h.VolunteerID], Quarters: h.Quarters,
			Note: "hours " + h.Day.String(), HoursID: &id, RecordedBy: &staff.ID, At: d.now})
		earned[accounts[h.VolunteerID]] += h.Quarters
	}
	if err := d.tx.CreateInBatches(&transfers, 1000).Error; err != nil {
		return err
	}
	total := models.Quarters(0)
	for acct, q := range earned {
		total += q
		add := gorm.Expr("balance_quarters + ?", q)
		if err := d.tx.Model(&models.TimebankAccount{}).Where("id = ?", acct).Update("balance_quarters", add).Error; err != nil {
			return err
		}
	}
	if err := d.tx.Model(&models.TimebankAccount{}).Where("id = ?", storeID).Update("balance_quarters", gorm.Expr("balance_quarters - ?", total)).
		Error; err != nil {
		return err
	}
	for _, v := range vols[:len(vols)/2] {
		if _, err := s.TransferCredits(d.ctx, staff, accounts[v.ID], storeID, 2, "a workshop place"); err != nil {
			return err
		}
	}
	titles := []struct{ title, kind string }{
		{"Junk modelling for early years", "creative_session"}, {"Upcycling furniture", "training"}, {"Forklift and manual handling", "training"},
		{"Cardboard city", "school_session"}, {"Textile collage", "creative_session"}, {"Volunteer induction", "training"},
	}
	for i := 0; i < 24; i++ {
		t := titles[i%len(titles)]
		day := d.today.AddDays(-350 + i*15)
		start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC)
		w, err := s.CreateWorkshop(d.ctx, staff, models.Workshop{Title: t.title, Kind: t.kind, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
			Leader: d.person(), Places: 8 + d.rng.IntN(10)})
		if err != nil {
			return err
		}
		for j := 0; j < 4+d.rng.IntN(w.Places-3); j++ {
			var org *int64
			if d.rng.IntN(2) == 0 && len(d.orgIDs) > 0 {
				org = &d.orgIDs[d.rng.IntN(len(d.orgIDs))]
			}
			if _, err := s.AddAttendee(d.ctx, staff, w.ID, d.person(), org); err != nil {
				return err
			}
		}
	}
	return nil
}
