package models

import (
	"time"
)

// people adds volunteers, placements and apprentices with a year of hours (each hour a
// timebank credit), some credits spent, and workshops with attendees.
func (d *demo) people() error {
	s := d.store
	staff := &User{ID: d.staffID, Role: RoleStaff}
	kinds := []string{"volunteer", "volunteer", "volunteer", "placement", "apprentice"}
	var vols []*Volunteer
	for i := 0; i < 18; i++ {
		in := VolunteerInput{Name: d.person(), Kind: kinds[i%len(kinds)], StartedOn: d.today.AddDays(-30 - d.rng.IntN(700))}
		if in.Kind == "placement" && len(d.orgIDs) > 0 {
			in.PlacedByOrganisationID = &d.orgIDs[d.rng.IntN(len(d.orgIDs))]
		}
		v, err := s.CreateVolunteer(d.ctx, staff, in, d.today)
		if err != nil {
			return err
		}
		vols = append(vols, v)
	}
	for day := d.today.AddDays(-364); day.Before(d.today.Time); day = day.AddDays(1) {
		if day.Weekday() == time.Sunday {
			continue
		}
		for _, v := range vols {
			if d.rng.IntN(4) != 0 {
				continue
			}
			hours := float64(2+d.rng.IntN(20)) / 4
			if _, err := s.LogHours(d.ctx, staff, v.ID, day, hours, Activities[d.rng.IntN(len(Activities))], d.today); err != nil {
				return err
			}
		}
	}
	storeAcct, err := s.storeAccount(d.tx)
	if err != nil {
		return err
	}
	for _, v := range vols[:len(vols)/2] {
		var acct TimebankAccount
		if err := d.tx.Where("volunteer_id = ?", v.ID).Take(&acct).Error; err != nil {
			return err
		}
		if _, err := s.transfer(d.tx, staff, acct.ID, storeAcct, 8, "a workshop place", nil); err != nil {
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
		w, err := s.CreateWorkshop(d.ctx, staff, Workshop{Title: t.title, Kind: t.kind, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Leader: d.person(), Places: 8 + d.rng.IntN(10)})
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
