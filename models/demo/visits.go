package demo

import (
	"fmt"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// visitRules opens the store to members on weekdays, with a late evening for schools and
// colleges on Thursdays, and closes it on the coming bank holidays.
func (d *demo) visitRules() error {
	rules := []models.SlotRule{
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
		day, _ := models.ParseDate(c.day)
		if err := d.tx.Create(&models.ClosedDay{Day: day, Reason: c.reason, CreatedAt: d.now}).Error; err != nil {
			return err
		}
	}
	return nil
}

// vans adds the store's vans, and pickup requests in every state from the donors.
func (d *demo) vans() error {
	vans := []models.Vehicle{
		{Name: "Big van", Registration: "YX19KTV", CapacityG: 1_100_000, CapacityM3: 11.5, Skills: models.Skills{"tail_lift"},
			CostPerKmPence: 32, Active: true},
		{Name: "Transit", Registration: "BV21RDE", CapacityG: 900_000, CapacityM3: 8.3, Skills: models.Skills{}, CostPerKmPence: 27, Active: true},
		{Name: "Little van", Registration: "FD68XMA", CapacityG: 600_000, CapacityM3: 4.8, Skills: models.Skills{}, CostPerKmPence: 22, Active: true},
	}
	for i := range vans {
		vans[i].UnloadMinutes = models.DefaultUnload
		vans[i].Shifts = models.Shifts{}
		for _, day := range []string{"mon", "tue", "wed", "thu", "fri"} {
			vans[i].Shifts[day] = models.Interval{From: "08:00", To: "16:00"}
		}
	}
	if err := d.tx.Create(&vans).Error; err != nil {
		return err
	}
	var donors []models.Donor
	if err := d.tx.Where("active = ?", true).Order("id").Find(&donors).Error; err != nil {
		return err
	}
	// Requests that were collected or missed are the past runs' (see runs); none is
	// scheduled, as a scheduled request is one on an open stop of a run.
	statuses := []models.PickupStatus{models.PickupNew, models.PickupAccepted, models.PickupAccepted, models.PickupAccepted, models.PickupAccepted,
		models.PickupCancelled}
	var reqs []models.PickupRequest
	for i, dn := range donors {
		status := statuses[i%len(statuses)]
		earliest := d.today.AddDays(d.rng.IntN(3))
		r := models.PickupRequest{
			Reference: fmt.Sprintf("PR-DEMO%04d", i+1), Status: status, DonorID: &dn.ID, BusinessName: dn.Name, ContactName: dn.ContactName,
			Email: dn.Email, Phone: dn.Phone, Address: dn.Address, Postcode: dn.Postcode, Description: "offcuts, card and tubes",
			ApproxG: models.Grams(40+d.rng.IntN(260)) * 1000, ApproxM3: models.M3(3+d.rng.IntN(25)) / 10, EarliestDate: earliest,
			LatestDate: earliest.AddDays(3 + d.rng.IntN(10)), Latitude: dn.Latitude, Longitude: dn.Longitude,
			OpeningHours: dn.OpeningHours, Priority: 1 + d.rng.IntN(3),
			CreatedAt: d.now, UpdatedAt: d.now,
		}
		if status == models.PickupCancelled {
			r.StatusReason = "rejected: nothing we can use"
		}
		reqs = append(reqs, r)
	}
	// Enough accepted requests that planning tomorrow fills two or three vans.
	for i, dn := range donors {
		r := models.PickupRequest{
			Reference: fmt.Sprintf("PR-NEXT%04d", i+1), Status: models.PickupAccepted, DonorID: &dn.ID, BusinessName: dn.Name,
			ContactName: dn.ContactName,
			Email:       dn.Email, Phone: dn.Phone, Address: dn.Address, Postcode: dn.Postcode, Description: "boxes of card, fabric ends and foam",
			ApproxG: models.Grams(60+d.rng.IntN(200)) * 1000, ApproxM3: models.M3(3+d.rng.IntN(15)) / 10, EarliestDate: d.today,
			LatestDate: d.today.AddDays(7),
			Latitude:   dn.Latitude, Longitude: dn.Longitude, OpeningHours: dn.OpeningHours, Priority: 1 + d.rng.IntN(3), CreatedAt: d.now,
			UpdatedAt: d.now,
		}
		if i%4 == 0 {
			r.AccessNotes = "goods-in at the back; ring ahead"
		}
		reqs = append(reqs, r)
	}
	return d.tx.CreateInBatches(&reqs, 500).Error
}

// demoRun is a past day's collection run as the demo plans it: its stops in order.
type demoRun struct {
	day   models.Date
	stops []demoStop
}

// demoStop is a call at a business: the donation it gave (an index into the demo's
// donations, then its id), or why it was missed.
type demoStop struct {
	donor      int64
	at         time.Time
	donation   int
	donationID int64
	grams      models.Grams
	missed     string
}

var demoMissReasons = []string{"closed when the van came", "nothing ready to collect", "no access: the yard was blocked", "ran out of time"}

// collect plans a day's collection runs: on four weekdays in five a van (on busy days
// two) calls at three to seven businesses; most give a donation, about one in ten is
// missed.
func (d *demo) collect(day models.Date, donors []int64, give func(at time.Time, channel string, donor *int64) (int, models.Grams)) {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || len(donors) == 0 || d.rng.IntN(5) == 0 {
		return
	}
	for range 1 + d.rng.IntN(4)/3 {
		r := demoRun{day: day}
		at := time.Date(day.Year(), day.Month(), day.Day(), 8, 30+d.rng.IntN(30), 0, 0, time.UTC)
		for range 3 + d.rng.IntN(5) {
			st := demoStop{donor: donors[d.rng.IntN(len(donors))], at: at, donation: -1}
			if d.rng.IntN(10) == 0 {
				st.missed = d.pick(demoMissReasons)
			} else {
				donor := st.donor
				st.donation, st.grams = give(at.Add(15*time.Minute), "collection", &donor)
			}
			r.stops = append(r.stops, st)
			at = at.Add(time.Duration(25+d.rng.IntN(35)) * time.Minute)
		}
		d.pastRuns = append(d.pastRuns, r)
	}
}

// runs makes the planned past runs: each finished by a driver, its stops completed with
// the donations they gave or missed with a reason, the requests they were for collected
// or missed, and the van's odometer going up day by day.
func (d *demo) runs() error {
	var vans []models.Vehicle
	if err := d.tx.Order("id").Find(&vans).Error; err != nil || len(vans) == 0 {
		return err
	}
	var drivers []int64
	if err := d.tx.Model(&models.User{}).Where("role = ?", models.RoleDriver).Order("id").Pluck("id", &drivers).Error; err != nil {
		return err
	}
	var donors []models.Donor
	if err := d.tx.Where("active = ?", true).Find(&donors).Error; err != nil {
		return err
	}
	byID := map[int64]models.Donor{}
	for _, dn := range donors {
		byID[dn.ID] = dn
	}
	var reqs []models.PickupRequest
	for _, r := range d.pastRuns {
		for _, st := range r.stops {
			dn := byID[st.donor]
			kg := int64(st.grams)/1000/10*10 + 10 // as the business guessed it: to the next 10 kg
			if st.donation < 0 {
				kg = int64(40 + 10*d.rng.IntN(16))
			}
			earliest := r.day.AddDays(-d.rng.IntN(4))
			req := models.PickupRequest{
				Reference: fmt.Sprintf("PR-RUN%05d", len(reqs)+1), Status: models.PickupCollected, DonorID: &dn.ID, BusinessName: dn.Name,
				ContactName: dn.ContactName,
				Email:       dn.Email, Phone: dn.Phone, Address: dn.Address, Postcode: dn.Postcode, Description: "offcuts, card and tubes",
				ApproxG: models.Grams(kg) * 1000, ApproxM3: models.M3(3+kg/25) / 10, EarliestDate: earliest, LatestDate: r.day.AddDays(2 + d.rng.IntN(5)),
				Latitude: dn.Latitude, Longitude: dn.Longitude, OpeningHours: dn.OpeningHours, Priority: 1 + d.rng.IntN(3),
				CreatedAt: earliest.Start(time.UTC).Add(-48 * time.Hour), UpdatedAt: st.at.Add(15 * time.Minute),
			}
			if st.missed != "" {
				req.Status, req.StatusReason = models.PickupMissed, "missed: "+st.missed
			}
			reqs = append(reqs, req)
		}
	}
	if err := d.tx.CreateInBatches(&reqs, 500).Error; err != nil {
		return err
	}
	odometers := make([]int64, len(vans)) // tenths of a km
	for i := range odometers {
		odometers[i] = int64(150_000 + d.rng.IntN(400_000))
	}
	var runs []models.Run
	next, vi := 0, 0
	for i, r := range d.pastRuns {
		if i == 0 || r.day != d.pastRuns[i-1].day {
			vi = d.rng.IntN(len(vans))
		} else {
			vi = (vi + 1) % len(vans) // a second van that day
		}
		tenths := int64(180 + d.rng.IntN(450))
		start, finish := models.Km(odometers[vi])/10, models.Km(odometers[vi]+tenths)/10
		odometers[vi] += tenths
		startAt := r.stops[0].at.Add(-30 * time.Minute)
		finishAt := r.stops[len(r.stops)-1].at.Add(50 * time.Minute)
		run := models.Run{Day: r.day, VehicleID: vans[vi].ID, Status: models.RunFinished, PlannedM: models.Metres(tenths) * 95,
			PlannedMinutes:  int(finishAt.Sub(startAt).Minutes()),
			StartOdometerKm: &start, FinishOdometerKm: &finish, StartedAt: &startAt, FinishedAt: &finishAt, CreatedAt: startAt.Add(-14 * time.Hour)}
		if len(drivers) > 0 {
			run.DriverID = &drivers[i%len(drivers)]
		}
		var load models.Grams
		for j, st := range r.stops {
			req := reqs[next]
			next++
			load += req.ApproxG
			done := st.at.Add(15 * time.Minute)
			stop := models.RunStop{Sequence: j + 1, Kind: "pickup", RequestID: &req.ID, ArriveAt: st.at, StartAt: st.at, DepartAt: done, LoadG: load,
				Status: models.StopCompleted, CompletedAt: &done}
			if st.missed != "" {
				stop.Status, stop.Reason = models.StopMissed, st.missed
			} else {
				stop.DonationID = &st.donationID
			}
			run.Stops = append(run.Stops, stop)
		}
		runs = append(runs, run)
	}
	return d.tx.CreateInBatches(&runs, 200).Error
}
