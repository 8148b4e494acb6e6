package models

import (
	"fmt"
	"time"
)

// visitRules opens the store to members on weekdays, with a late evening for schools and
// colleges on Thursdays, and closes it on the coming bank holidays.
func (d *demo) visitRules() error {
	rules := []SlotRule{
		{Weekday: int(time.Tuesday), Starts: "10:00", Ends: "13:00", SlotMinutes: 30, Places: 3, Label: "Morning"},
		{Weekday: int(time.Wednesday), Starts: "13:00", Ends: "16:00", SlotMinutes: 30, Places: 3, Label: "Afternoon"},
		{Weekday: int(time.Thursday), Starts: "15:30", Ends: "19:30", SlotMinutes: 30, Places: 4, Label: "Late opening for schools and colleges"},
		{Weekday: int(time.Saturday), Starts: "09:30", Ends: "12:30", SlotMinutes: 60, Places: 5, Label: "Saturday families and groups"},
	}
	if err := d.tx.Create(&rules).Error; err != nil {
		return err
	}
	for _, c := range []struct{ day, reason string }{
		{"2026-12-25", "Christmas Day"}, {"2026-12-26", "Boxing Day"}, {"2027-01-01", "New Year's Day"}, {"2027-04-02", "Good Friday"},
	} {
		day, _ := ParseDate(c.day)
		if err := d.tx.Create(&ClosedDay{Day: day, Reason: c.reason, CreatedAt: d.now}).Error; err != nil {
			return err
		}
	}
	return nil
}

// vans adds the store's vans, and pickup requests in every state from the donors.
func (d *demo) vans() error {
	vans := []Vehicle{
		{Name: "Big van", Registration: "YX19KTV", CapacityG: 1_100_000, CapacityM3: 11.5, Skills: Skills{"tail_lift"}, CostPerKmPence: 32, Active: true},
		{Name: "Transit", Registration: "BV21RDE", CapacityG: 900_000, CapacityM3: 8.3, Skills: Skills{}, CostPerKmPence: 27, Active: true},
		{Name: "Little van", Registration: "FD68XMA", CapacityG: 600_000, CapacityM3: 4.8, Skills: Skills{}, CostPerKmPence: 22, Active: true},
	}
	for i := range vans {
		vans[i].UnloadMinutes = DefaultUnload
		vans[i].Shifts = Shifts{}
		for _, day := range []string{"mon", "tue", "wed", "thu", "fri"} {
			vans[i].Shifts[day] = Interval{From: "08:00", To: "16:00"}
		}
	}
	if err := d.tx.Create(&vans).Error; err != nil {
		return err
	}
	var donors []Donor
	if err := d.tx.Where("active = ?", true).Order("id").Find(&donors).Error; err != nil {
		return err
	}
	statuses := []string{PickupNew, PickupAccepted, PickupAccepted, PickupAccepted, PickupScheduled, PickupCollected, PickupCollected, PickupMissed, PickupCancelled}
	var reqs []PickupRequest
	for i, dn := range donors {
		status := statuses[i%len(statuses)]
		earliest := d.today.AddDays(d.rng.IntN(3))
		if status == PickupCollected || status == PickupMissed {
			earliest = d.today.AddDays(-30 - d.rng.IntN(300))
		}
		r := PickupRequest{
			Reference: fmt.Sprintf("PR-DEMO%04d", i+1), Status: status, DonorID: &dn.ID, BusinessName: dn.Name, ContactName: dn.ContactName,
			Email: dn.Email, Phone: dn.Phone, Address: dn.Address, Postcode: dn.Postcode, Description: "offcuts, card and tubes",
			ApproxG: int64(40+d.rng.IntN(260)) * 1000, ApproxM3: 0.3 + float64(d.rng.IntN(25))/10, EarliestDate: earliest, LatestDate: earliest.AddDays(3 + d.rng.IntN(10)),
			Latitude: dn.Latitude, Longitude: dn.Longitude, OpeningHours: dn.OpeningHours, Priority: 1 + d.rng.IntN(3),
			CreatedAt: d.now, UpdatedAt: d.now,
		}
		if status == PickupCancelled {
			r.StatusReason = "rejected: nothing we can use"
		}
		reqs = append(reqs, r)
	}
	// Enough accepted requests that planning tomorrow fills two or three vans.
	for i, dn := range donors {
		r := PickupRequest{
			Reference: fmt.Sprintf("PR-NEXT%04d", i+1), Status: PickupAccepted, DonorID: &dn.ID, BusinessName: dn.Name, ContactName: dn.ContactName,
			Email: dn.Email, Phone: dn.Phone, Address: dn.Address, Postcode: dn.Postcode, Description: "boxes of card, fabric ends and foam",
			ApproxG: int64(60+d.rng.IntN(200)) * 1000, ApproxM3: 0.3 + float64(d.rng.IntN(15))/10, EarliestDate: d.today, LatestDate: d.today.AddDays(7),
			Latitude: dn.Latitude, Longitude: dn.Longitude, OpeningHours: dn.OpeningHours, Priority: 1 + d.rng.IntN(3), CreatedAt: d.now, UpdatedAt: d.now,
		}
		if i%4 == 0 {
			r.AccessNotes = "goods-in at the back; ring ahead"
		}
		reqs = append(reqs, r)
	}
	return d.tx.CreateInBatches(&reqs, 500).Error
}

// runs gives the past year its collection runs: on most working days a van went out,
// finished, and its completed stops are the collected requests of that day.
func (d *demo) runs() error {
	var vans []Vehicle
	if err := d.tx.Order("id").Find(&vans).Error; err != nil || len(vans) == 0 {
		return err
	}
	var collected []PickupRequest
	if err := d.tx.Where("status = ?", PickupCollected).Order("earliest_date, id").Find(&collected).Error; err != nil {
		return err
	}
	byDay := map[string][]PickupRequest{}
	for _, r := range collected {
		byDay[r.EarliestDate.String()] = append(byDay[r.EarliestDate.String()], r)
	}
	odometer := 41000.0
	for day := d.today.AddDays(-364); day.Before(d.today.Time); day = day.AddDays(1) {
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || d.rng.IntN(5) == 0 {
			continue
		}
		van := vans[d.rng.IntN(len(vans))]
		km := 20 + d.rng.Float64()*45
		start := odometer
		odometer += km
		startAt := day.Start(time.UTC).Add(8 * time.Hour)
		finishAt := startAt.Add(time.Duration(4+d.rng.IntN(4)) * time.Hour)
		run := Run{Day: day, VehicleID: van.ID, Status: "finished", PlannedM: int64(km * 950), PlannedMinutes: int(finishAt.Sub(startAt).Minutes()),
			StartOdometerKm: &start, FinishOdometerKm: &odometer, StartedAt: &startAt, FinishedAt: &finishAt, CreatedAt: startAt}
		for i, r := range byDay[day.String()] {
			id := r.ID
			at := startAt.Add(time.Duration(30*(i+1)) * time.Minute)
			run.Stops = append(run.Stops, RunStop{Sequence: i + 1, Kind: "pickup", RequestID: &id, ArriveAt: at, StartAt: at, DepartAt: at.Add(15 * time.Minute),
				LoadG: r.ApproxG, Status: "completed", CompletedAt: &at})
		}
		if err := d.tx.Create(&run).Error; err != nil {
			return err
		}
	}
	return nil
}
